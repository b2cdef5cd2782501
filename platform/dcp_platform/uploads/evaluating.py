"""Decoding and evaluating an upload's rows: the part of processing that needs no database, in this process or
spread over worker processes.

Turning a row's cells into answers and evaluating them (`Definition.evaluate`, as the web form does) is most of
an upload's time, and what it needs is fixed for the whole file: the definition, the column mapping, the
organisations the user may upload for, today's date. So rows can be evaluated in several processes at once.
What depends on other rows or on the database stays with the caller, in file order: the collection window,
duplicates within the file and against stored records, and storing chunks (see services/processing.py).

Worker processes are forked when processing starts, so they share the loaded definition and mapping instead of
receiving copies. They get numbered rows in batches and send back each row's outcome with its answers already
encoded as the JSON that is stored (records.copying.stored_json). Only a few batches are in flight at once, so memory stays flat however long
the file, and outcomes come back in file order. An exception in a worker is raised again in the caller, so a row
that breaks the code fails the task just as it would in one process.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from django.core.exceptions import ImproperlyConfigured

from dcp_platform.accounts.selectors import SubmittingFor
from dcp_platform.definitions import Definition
from dcp_platform.definitions.words import cleared_in_words
from dcp_platform.records.copying import plain_json_value, stored_json
from dcp_platform.records.services import duplicate_key, evaluation_context, refused_organisations
from dcp_platform.records.writing import record_date_of, reference_of, search_text_of

from .decode import RowDecoder
from .rows import RowCells

# Rows sent to a worker process at a time: large enough that passing them costs little next to evaluating them,
# small enough that every worker has work until the end of the file.
BATCH_ROWS = 100
# Batches in flight per worker process: one being evaluated, one waiting, one being sent back.
BATCHES_IN_FLIGHT = 3

@dataclass(frozen=True)
class AllowedOrganisation:
    pk: int
    provider_type: str | None


@dataclass(frozen=True)
class RowWork:
    """What evaluating any row of one upload needs (the same for every row of the file)."""

    definition: Definition
    decoder: RowDecoder
    cells: RowCells
    allowed: dict[str, AllowedOrganisation]  # by organisation code
    fallback_organisation_id: int | None  # the uploader's organisation, when a row names none
    today: date
    # Which way round the uploader's organisation may name owners and managers (the same check as every channel).
    submitting: SubmittingFor | None = None
    # Provider types per pair of organisations (records.services.evaluation_context), in each process.
    extras: dict[tuple[Any, Any], dict[str, Any]] = field(default_factory=dict, compare=False)


class EvaluatedRow(NamedTuple):
    """One row decoded and evaluated: everything the caller needs to finish it, nothing it does not."""

    number: int
    problems: list[dict[str, Any]]  # the cells' and organisations' problems, in the upload's problem shape
    rule_problems: list[dict[str, Any]]  # the definition's problems (after the window's, when there is one)
    refused: bool  # a problem refuses the row (an organisation the user may not upload for)
    row_status: str  # the row result's status unless the row is refused: "completed" or "in_progress"
    record_status: str
    answers_json: str
    derived_json: str
    record_date: date | None
    duplicate_key: int | None
    owning_organisation_id: int | None
    managing_organisation_id: int | None
    reference: str
    search_text: str
    assignee_answer: Any = None  # the definition's assignee question's answer (resolved in the task: users)


def row_problem(fields: list[int], question: str, rule: str, severity: str, message: str) -> dict[str, Any]:
    return {"fields": fields, "question": question, "rule": rule, "severity": severity, "message": message}


def evaluate_row(work: RowWork, number: int, row: list[str]) -> EvaluatedRow:
    """Decode one row's cells into answers and evaluate them."""
    definition = work.definition
    cells = work.cells
    if cells.flat is not None:  # a flat file: decoded by column (flat.py)
        answers, cell_errors, problems = cells.flat.decode(row)
    else:
        decoder = work.decoder
        answers, cell_errors = decoder.decode_values(cells.field_values(row, decoder.width))
        problems = [row_problem([n], decoder.question_of.get(n, ""), f"cell.{n}", "hard", message)
                    for n, message in sorted(cell_errors.items())]
    allowed = work.allowed
    for question_id, code, why in refused_organisations(definition, answers, allowed,
                                                           submitting=work.submitting):
        message = f"You cannot upload records for the organisation {code}." if code not in allowed else f"{why}."
        problems.append(row_problem(definition.question(question_id).all_template_fields(), question_id,
                                    "organisation", "refuse", message))
    context = evaluation_context(definition, answers, allowed=allowed, today=work.today, extras=work.extras,
                                 look_up_others=False)
    evaluation = definition.evaluate(answers, context=context)
    stored = evaluation.answers
    record_date = record_date_of(definition, stored)
    rule_problems = [
        row_problem(p.template_fields, p.fields[0].key if p.fields else "", p.rule_id, p.severity, p.message)
        for p in evaluation.problems
    ]
    # Answers the row gave that its other answers make not apply are never dropped without a word: an error where
    # a hard rule refuses the combination, otherwise a note that the answer was not kept.
    refused_combination = evaluation.cleared_problems
    rule_problems.extend(
        row_problem(p.template_fields, p.fields[0].key if p.fields else "", p.rule_id, "hard", p.message)
        for p in refused_combination
    )
    rule_problems.extend(
        row_problem(definition.question(c.ref.question_id).template_fields_for(c.ref.item), c.ref.key,
                    f"not_kept.{c.ref.key}", "not_kept", cleared_in_words(definition, c))
        for c in evaluation.cleared_without_problems
    )
    if cells.flat is not None:  # each problem names the file's column it belongs to
        cells.flat.name_columns(problems)
        cells.flat.name_columns(rule_problems)
    refused = any(p["severity"] == "refuse" for p in problems) or any(p["severity"] == "refuse" for p in rule_problems)
    has_errors = bool(cell_errors) or any(p["severity"] in ("hard", "soft") for p in problems) \
        or any(p["severity"] in ("hard", "soft") for p in rule_problems)
    owner = allowed.get(str(stored.get(definition.owner_question or "") or ""))
    owner_id = owner.pk if owner is not None else work.fallback_organisation_id
    manager = allowed.get(str(stored.get(definition.manager_question or "") or ""))
    return EvaluatedRow(
        number=number, problems=problems, rule_problems=rule_problems, refused=refused,
        row_status="in_progress" if has_errors or evaluation.status != "completed" else "completed",
        record_status=evaluation.status if not (cell_errors or refused_combination) else "in_progress",
        answers_json=stored_json(stored), derived_json=stored_json(evaluation.derived, default=plain_json_value),
        record_date=record_date,
        duplicate_key=duplicate_key(definition, stored), owning_organisation_id=owner_id,
        managing_organisation_id=manager.pk if manager is not None else owner_id,
        reference=reference_of(definition, stored), search_text=search_text_of(definition, stored),
        assignee_answer=stored.get(definition.assignee_question) if definition.assignee_question else None,
    )


def worker_processes() -> int:
    """How many processes evaluate one upload's rows (DCP_UPLOAD_PROCESSES; default: the CPUs this process may
    use). 1 evaluates in the processing task's own process."""
    setting = os.environ.get("DCP_UPLOAD_PROCESSES", "").strip()
    if not setting:
        return max(1, len(os.sched_getaffinity(0)))
    if not setting.isdigit() or int(setting) < 1:
        raise ImproperlyConfigured(f"DCP_UPLOAD_PROCESSES must be a whole number of 1 or more, not {setting!r}")
    return int(setting)


# The work of the upload being processed, in a worker process (see _start_worker).
_work: RowWork | None = None

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _start_worker(work: RowWork, parent: int) -> None:
    global _work  # noqa: PLW0603  # one upload's work per worker process, for its whole life
    _work = work
    # Die with the processing task's process, even when it is killed outright (SIGKILL, out of memory) and
    # cannot shut its workers down: an orphaned worker would wait for rows forever.
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def _started() -> int:
    return os.getpid()


@contextmanager
def _children_allowed() -> Iterator[None]:
    """Let this process fork worker processes even when it is a daemon.

    Celery's prefork pool runs tasks in daemonic processes, and multiprocessing refuses children to those because
    they would be orphaned when the daemon is killed. Ours are not: they are shut down with processing, and each
    asks the kernel to kill it when its parent dies (_start_worker).
    """
    config = multiprocessing.current_process()._config  # type: ignore[attr-defined]
    daemon = config.get("daemon")
    config["daemon"] = False
    try:
        yield
    finally:
        if daemon is None:
            config.pop("daemon", None)
        else:
            config["daemon"] = daemon


def _start_workers(work: RowWork, processes: int) -> ProcessPoolExecutor:
    executor = ProcessPoolExecutor(
        max_workers=processes, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker,
        initargs=(work, os.getpid()),
    )
    with _children_allowed():
        executor.submit(_started).result()  # forks every worker now (fork start method), in this thread
    return executor


def _evaluate_batch(batch: list[tuple[int, list[str]]]) -> list[EvaluatedRow]:
    work = _work
    if work is None:
        raise RuntimeError("a worker process evaluates rows only after _start_worker")
    return [evaluate_row(work, number, row) for number, row in batch]


def _batches(rows: Iterable[tuple[int, list[str]]], size: int) -> Iterator[list[tuple[int, list[str]]]]:
    batch: list[tuple[int, list[str]]] = []
    for numbered in rows:
        batch.append(numbered)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def evaluated_rows(work: RowWork, rows: Iterable[tuple[int, list[str]]], *, processes: int) -> Iterator[EvaluatedRow]:
    """Each numbered row decoded and evaluated, in the order given, by `processes` worker processes (1: here).

    The workers are forked when the first row is asked for (they inherit `work` as it is; nothing is copied
    through a pipe), so the caller must not have started threads of its own by then: a forked child gets only the
    forking thread, and locks that other threads held stay held in it. The workers never use the database connection they
    inherit. A worker that dies (killed, out of memory) fails processing with BrokenProcessPool instead of leaving
    it waiting.
    """
    if processes <= 1:
        for number, row in rows:
            yield evaluate_row(work, number, row)
        return
    executor = _start_workers(work, processes)
    try:
        pending: deque[Future[list[EvaluatedRow]]] = deque()
        for batch in _batches(rows, BATCH_ROWS):
            pending.append(executor.submit(_evaluate_batch, batch))
            if len(pending) >= processes * BATCHES_IN_FLIGHT:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        # Also when the caller stops early or a batch failed: no worker outlives processing.
        executor.shutdown(wait=True, cancel_futures=True)
