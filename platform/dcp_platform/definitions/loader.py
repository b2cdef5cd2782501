"""Load a definition from YAML (a file, a folder, or an `extends` change set), check it and build objects."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .definition import Definition
from .errors import DefinitionError, ExpressionError
from .expressions import AGGREGATES, ITEM_NUMBER, Call, Expression, Node, parse_expression
from .includes import resolve_includes
from .model import (
    OPTION_TYPES,
    QUESTION_TYPES,
    DerivedValue,
    Group,
    Option,
    Page,
    Question,
    Rule,
    Section,
)

_LIST_KEYS = ("sections", "groups", "derived", "validations")
_QUESTION_KEYS = {
    "id", "type", "label", "hint", "required", "condition", "options", "options_source", "template_fields",
    "template_codec", "min", "max", "step", "max_length", "pattern", "prefix", "suffix", "width", "flat_name",
    "error_name",
}
_YESNO_OPTIONS = [{"code": 1, "label": "Yes"}, {"code": 0, "label": "No"}]
_NUMERIC_TYPES = {"integer", "decimal", "money"}


# ---------------------------------------------------------------------------------------------- reading YAML


def read_raw(path: Path | list[Path]) -> tuple[dict[str, Any], str]:
    """Read one file, a folder of files, or a list of files into one raw dict (lists concatenated), with the
    shared fragments they include in place."""
    if isinstance(path, list | tuple):
        files = [Path(p) for p in path]
        label = ", ".join(str(p) for p in files)
    else:
        path = Path(path)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
            if not files:
                raise DefinitionError("the folder has no YAML files", file=str(path))
        else:
            files = [path]
        label = str(path)
    merged: dict[str, Any] = {}
    for file in files:
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise DefinitionError(f"cannot read YAML: {error}", file=str(file)) from error
        if not isinstance(data, dict):
            raise DefinitionError("the file must hold a mapping of keys", file=str(file))
        data = resolve_includes(data, file=file)  # shared fragments (includes.py) become plain items
        for key, value in data.items():
            if key in _LIST_KEYS:
                merged.setdefault(key, []).extend(value or [])
            elif key in merged and key != "changes":
                raise DefinitionError(f"top-level key '{key}' is set in more than one file", file=str(file))
            elif key == "changes":
                merged.setdefault("changes", []).extend(value or [])
            else:
                merged[key] = value
    return merged, label


def resolve_extends(
    raw: dict[str, Any], label: str, base_resolver: Callable[[str], Path] | None, seen: tuple[str, ...] = ()
) -> dict[str, Any]:
    base_name = raw.get("extends")
    if not base_name:
        return raw
    if base_resolver is None:
        raise DefinitionError(f"extends '{base_name}' but no base_resolver was given", file=label)
    if base_name in seen:
        raise DefinitionError(f"extends chain loops back to '{base_name}'", file=label)
    base_raw, base_label = read_raw(base_resolver(str(base_name)))
    base = resolve_extends(base_raw, base_label, base_resolver, (*seen, str(base_name)))
    result = copy.deepcopy(base)
    result.pop("extends", None)
    for key, value in raw.items():
        if key in ("extends", "changes"):
            continue
        if key in _LIST_KEYS or key == "check_allowances":  # a year's allowances add to its base year's
            result.setdefault(key, []).extend(copy.deepcopy(value or []))
        else:
            result[key] = copy.deepcopy(value)
    for change in raw.get("changes") or []:
        apply_change(result, change, label)
    return result


# ---------------------------------------------------------------------------------------------- changes


def _all_pages(raw: dict[str, Any]) -> Iterable[tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]]:
    for section in raw.get("sections") or []:
        pages = section.setdefault("pages", [])
        for page in list(pages):
            yield section, pages, page


def _find_page(raw: dict[str, Any], page_id: str, label: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    for _section, pages, page in _all_pages(raw):
        if page.get("id") == page_id:
            return pages, page
    raise DefinitionError(f"change refers to unknown page '{page_id}'", file=label, item_id=page_id)


def _find_question(raw: dict[str, Any], question_id: str, label: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    for _section, _pages, page in _all_pages(raw):
        questions = page.setdefault("questions", [])
        for question in questions:
            if question.get("id") == question_id:
                return questions, question
    raise DefinitionError(f"change refers to unknown question '{question_id}'", file=label, item_id=question_id)


def _find_by_id(items: list[dict[str, Any]], item_id: str, kind: str, label: str) -> dict[str, Any]:
    for item in items:
        if item.get("id") == item_id:
            return item
    raise DefinitionError(f"change refers to unknown {kind} '{item_id}'", file=label, item_id=item_id)


def _insert_after(items: list[dict[str, Any]], new: dict[str, Any], after: str | None, label: str) -> None:
    if after is None:
        items.append(new)
        return
    for index, item in enumerate(items):
        if item.get("id") == after:
            items.insert(index + 1, new)
            return
    raise DefinitionError(f"'after: {after}' does not name an item in the same list", file=label, item_id=new.get("id"))


def _change_keys(target: dict[str, Any], change: dict[str, Any]) -> None:
    for key, value in change.items():
        if key != "id":
            target[key] = copy.deepcopy(value)


def _edit_options(question: dict[str, Any], edits: dict[Any, Any], label: str) -> list[Any]:
    """The question's options with each code's edit applied: null removes the option, a mapping replaces its
    keys, a code the question does not have is added at the end."""
    options = [dict(option) for option in question.get("options") or []]
    for code, edit in edits.items():
        found = next((option for option in options if str(option.get("code")) == str(code)), None)
        if edit is None:
            if found is None:
                raise DefinitionError(
                    f"change removes option '{code}' that '{question.get('id')}' does not have", file=label,
                    item_id=question.get("id"),
                )
            options.remove(found)
        elif found is None:
            options.append({"code": code, **copy.deepcopy(edit)})
        else:
            found.update(copy.deepcopy(edit))
    return options


def _set_template_fields(raw: dict[str, Any], body: Any, label: str) -> None:
    """The year's whole template: every field number the base gave is dropped, then each listed question gets
    its fields (a list; a mapping by item number for a group question, by option code for checkboxes)."""
    if not isinstance(body, dict):
        raise DefinitionError("template_fields must map question ids to field numbers", file=label)
    for _section, _pages, page in _all_pages(raw):
        for question in page.get("questions") or []:
            question.pop("template_fields", None)
            for option in question.get("options") or []:
                if isinstance(option, dict):
                    option.pop("template_fields", None)
    for question_id, fields in body.items():
        _, question = _find_question(raw, str(question_id), label)
        if isinstance(fields, dict) and question.get("type") == "checkboxes":
            options = {str(option.get("code")): option for option in question.get("options") or []}
            for code, numbers in fields.items():
                if str(code) not in options:
                    raise DefinitionError(
                        f"template_fields names unknown option '{code}' of '{question_id}'", file=label,
                        item_id=str(question_id),
                    )
                options[str(code)]["template_fields"] = copy.deepcopy(numbers)
        else:
            question["template_fields"] = copy.deepcopy(fields)


def apply_change(raw: dict[str, Any], change: dict[str, Any], label: str) -> None:  # noqa: C901 - a dispatch table
    if not isinstance(change, dict) or len(change) != 1:
        raise DefinitionError(f"each change must be a mapping with exactly one key, got {change!r}", file=label)
    (kind, body), = change.items()
    raw.setdefault("derived", [])
    raw.setdefault("validations", [])
    if kind == "remove_question":
        questions, question = _find_question(raw, str(body), label)
        questions.remove(question)
    elif kind == "change_question":
        _, question = _find_question(raw, str(body["id"]), label)
        if "edit_options" in body:  # edits the options by code, as an include's options mapping does
            body = {k: v for k, v in body.items() if k != "edit_options"}
            body["options"] = _edit_options(question, change["change_question"]["edit_options"] or {}, label)
        _change_keys(question, body)
    elif kind == "add_question":
        if "page" in body:
            _, page = _find_page(raw, str(body["page"]), label)
        else:
            found = [p for _s, _ps, p in _all_pages(raw)
                     if any(q.get("id") == body.get("after") for q in p.get("questions") or [])]
            if not found:
                raise DefinitionError("add_question needs 'page' or an 'after' question", file=label)
            page = found[0]
        _insert_after(page.setdefault("questions", []), copy.deepcopy(body["question"]), body.get("after"), label)
    elif kind == "add_page":
        section = _find_by_id(raw.get("sections") or [], str(body["section"]), "section", label)
        _insert_after(section.setdefault("pages", []), copy.deepcopy(body["page"]), body.get("after"), label)
    elif kind == "remove_page":
        pages, page = _find_page(raw, str(body), label)
        pages.remove(page)
    elif kind == "change_page":
        _, page = _find_page(raw, str(body["id"]), label)
        _change_keys(page, body)
    elif kind == "add_section":
        _insert_after(raw.setdefault("sections", []), copy.deepcopy(body["section"]), body.get("after"), label)
    elif kind == "remove_section":
        raw["sections"].remove(_find_by_id(raw.get("sections") or [], str(body), "section", label))
    elif kind == "change_section":
        _change_keys(_find_by_id(raw.get("sections") or [], str(body["id"]), "section", label), body)
    elif kind in ("add_validation", "add_derived"):
        key = "validations" if kind == "add_validation" else "derived"
        item = copy.deepcopy(body)
        after = item.pop("after", None)
        _insert_after(raw[key], item, after, label)
    elif kind in ("change_validation", "change_derived"):
        key = "validations" if kind == "change_validation" else "derived"
        _change_keys(_find_by_id(raw[key], str(body["id"]), key, label), body)
    elif kind in ("remove_validation", "remove_derived"):
        key = "validations" if kind == "remove_validation" else "derived"
        raw[key].remove(_find_by_id(raw[key], str(body), key, label))
    elif kind == "change_group":
        _change_keys(_find_by_id(raw.get("groups") or [], str(body["id"]), "group", label), body)
    elif kind == "template_fields":
        _set_template_fields(raw, body, label)
    elif kind == "change_meta":
        for key, value in body.items():
            if key in _LIST_KEYS or key in ("extends", "changes"):
                raise DefinitionError(f"change_meta cannot change '{key}'", file=label)
            raw[key] = copy.deepcopy(value)
    else:
        raise DefinitionError(f"unknown change '{kind}'", file=label)


# ---------------------------------------------------------------------------------------------- building


class _Builder:
    """Turns a raw dict into checked objects. Every error names the file and the id."""

    def __init__(
        self,
        raw: dict[str, Any],
        label: str,
        functions: Mapping[str, Callable[..., Any]],
        option_sources: set[str],
        codecs: set[str],
        context_names: set[str],
    ) -> None:
        self.raw = raw
        self.label = label
        self.functions = functions
        self.option_sources = option_sources
        self.codecs = codecs
        self.context_names = context_names
        self.questions: dict[str, Question] = {}
        self.groups: dict[str, Group] = {}
        self.derived: list[DerivedValue] = []
        self.derived_by_id: dict[str, DerivedValue] = {}

    def fail(self, message: str, item_id: str | None = None) -> DefinitionError:
        return DefinitionError(message, file=self.label, item_id=item_id)

    def expression(self, text: Any, owner: str) -> Expression:
        try:
            return parse_expression(text, functions=self.functions)
        except ExpressionError as error:
            raise error.located(file=self.label, item_id=owner) from None

    def optional_expression(self, text: Any, owner: str) -> Expression | None:
        return None if text is None else self.expression(text, owner)

    # -- structure

    def build_groups(self) -> None:
        for raw_group in self.raw.get("groups") or []:
            group_id = self.require_id(raw_group, "group")
            if group_id in self.groups:
                raise self.fail("duplicate group id", group_id)
            self.groups[group_id] = Group(
                id=group_id,
                title=str(raw_group.get("title") or group_id),
                item_title=str(raw_group.get("item_title") or "Item {n}"),
                count=self.optional_expression(raw_group.get("count"), group_id),
                min_items=int(raw_group.get("min_items") or 0),
                max_items=None if raw_group.get("max_items") is None else int(raw_group["max_items"]),
                flat_name=str(raw_group.get("flat_name") or "{group}_{n}_{question}"),
            )

    def require_id(self, raw: Any, kind: str) -> str:
        if not isinstance(raw, dict) or not raw.get("id"):
            raise self.fail(f"a {kind} has no id: {raw!r}")
        return str(raw["id"])

    def build_sections(self) -> list[Section]:
        sections: list[Section] = []
        section_ids: set[str] = set()
        page_ids: set[str] = set()
        position = 0
        for raw_section in self.raw.get("sections") or []:
            section_id = self.require_id(raw_section, "section")
            if section_id in section_ids:
                raise self.fail("duplicate section id", section_id)
            section_ids.add(section_id)
            pages: list[Page] = []
            for raw_page in raw_section.get("pages") or []:
                page_id = self.require_id(raw_page, "page")
                if page_id in page_ids:
                    raise self.fail("duplicate page id", page_id)
                page_ids.add(page_id)
                group_id = raw_page.get("group")
                if group_id is not None and group_id not in self.groups:
                    raise self.fail(f"unknown group '{group_id}'", page_id)
                page = Page(
                    id=page_id,
                    title=raw_page.get("title"),
                    condition=self.optional_expression(raw_page.get("condition"), page_id),
                    group=group_id,
                    questions=[],
                    section_id=section_id,
                    extra={k: v for k, v in raw_page.items() if k not in ("id", "title", "condition", "group", "questions")},
                )
                for raw_question in raw_page.get("questions") or []:
                    question = self.build_question(raw_question, page, position)
                    position += 1
                    page.questions.append(question)
                if not page.questions:
                    raise self.fail("page has no questions", page_id)
                pages.append(page)
            sections.append(
                Section(
                    id=section_id,
                    title=str(raw_section.get("title") or section_id),
                    condition=self.optional_expression(raw_section.get("condition"), section_id),
                    pages=pages,
                )
            )
        return sections

    def build_question(self, raw: dict[str, Any], page: Page, position: int) -> Question:
        question_id = self.require_id(raw, "question")
        if question_id in self.questions:
            raise self.fail("duplicate question id", question_id)
        if question_id in self.groups:
            raise self.fail("question id clashes with a group id", question_id)
        question_type = raw.get("type")
        if question_type not in QUESTION_TYPES:
            raise self.fail(f"unknown question type {question_type!r}", question_id)
        options = self.build_options(raw, question_id, str(question_type))
        options_source = raw.get("options_source")
        if options_source is not None and options_source not in self.option_sources:
            raise self.fail(f"unknown options_source '{options_source}'", question_id)
        if question_type in ("radios", "checkboxes", "select") and not options and options_source is None:
            raise self.fail(f"a {question_type} question needs options or options_source", question_id)
        if question_type == "organisation" and not options and options_source is None:
            raise self.fail("an organisation question needs options_source", question_id)
        codec = raw.get("template_codec")
        if codec is not None and codec not in self.codecs:
            raise self.fail(f"unknown template_codec '{codec}'", question_id)
        question = Question(
            id=question_id,
            type=str(question_type),
            label=str(raw.get("label") or question_id),
            hint=raw.get("hint"),
            required=bool(raw.get("required", True)),
            condition=self.optional_expression(raw.get("condition"), question_id),
            options=options,
            options_source=options_source,
            template_fields=self.template_fields(raw.get("template_fields"), question_id, page.group),
            template_codec=codec,
            group=page.group,
            page_id=page.id,
            section_id=page.section_id,
            position=position,
            min=self.bound(raw.get("min"), str(question_type), question_id),
            max=self.bound(raw.get("max"), str(question_type), question_id),
            step=raw.get("step"),
            max_length=raw.get("max_length", 255 if question_type == "text" else None),
            pattern=raw.get("pattern"),
            prefix=raw.get("prefix", "£" if question_type == "money" else None),
            suffix=raw.get("suffix"),
            width=raw.get("width"),
            flat_name=raw.get("flat_name"),
            error_name=raw.get("error_name"),
            extra={k: v for k, v in raw.items() if k not in _QUESTION_KEYS},
            codes=frozenset(option.code for option in options),
        )
        self.questions[question_id] = question
        if page.group:
            self.groups[page.group].question_ids.append(question_id)
        return question

    def build_options(self, raw: dict[str, Any], question_id: str, question_type: str) -> list[Option]:
        raw_options = raw.get("options")
        if raw_options is None and question_type == "yesno":
            raw_options = _YESNO_OPTIONS
        if raw_options and question_type not in OPTION_TYPES:
            raise self.fail(f"a {question_type} question cannot have options", question_id)
        options: list[Option] = []
        seen: set[Any] = set()
        for raw_option in raw_options or []:
            if not isinstance(raw_option, dict) or raw_option.get("code") is None:
                raise self.fail(f"an option has no code: {raw_option!r}", question_id)
            code = raw_option["code"]
            if code in seen:
                raise self.fail(f"duplicate option code {code!r}", question_id)
            seen.add(code)
            fields = raw_option.get("template_fields") or []
            options.append(
                Option(
                    code=code,
                    label=str(raw_option.get("label", code)),
                    hint=raw_option.get("hint"),
                    flat_name=raw_option.get("flat_name"),
                    template_fields=[int(n) for n in fields],
                    divider_before=raw_option.get("divider_before"),
                    template_code=raw_option.get("template_code"),
                    web_form=bool(raw_option.get("web_form", True)),
                )
            )
        return options

    def template_fields(self, raw: Any, question_id: str, group: str | None) -> list[int] | dict[int, list[int]]:
        if raw is None:
            return []
        if isinstance(raw, dict):
            if group is None:
                raise self.fail("template_fields by item number is only allowed in a group", question_id)
            return {int(item): [int(n) for n in (v if isinstance(v, list) else [v])] for item, v in raw.items()}
        if isinstance(raw, int):
            return [raw]
        return [int(n) for n in raw]

    def bound(self, raw: Any, question_type: str, question_id: str) -> Any:
        """A min/max: numbers stay numbers, ISO dates become dates, anything else is an expression."""
        if raw is None:
            return None
        if question_type == "date":
            if isinstance(raw, date):
                return raw
            try:
                return date.fromisoformat(str(raw))
            except ValueError:
                return self.expression(raw, question_id)
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return raw if isinstance(raw, int) else Decimal(str(raw))
        return self.expression(raw, question_id)

    def build_derived(self) -> None:
        for raw in self.raw.get("derived") or []:
            derived_id = self.require_id(raw, "derived value")
            if derived_id in self.derived_by_id:
                raise self.fail("duplicate derived id", derived_id)
            if derived_id in self.questions or derived_id in self.groups:
                raise self.fail("derived id clashes with a question or group id", derived_id)
            group = raw.get("group")
            if group is not None and group not in self.groups:
                raise self.fail(f"unknown group '{group}'", derived_id)
            if "value" not in raw:
                raise self.fail("derived value has no 'value'", derived_id)
            sets = raw.get("sets")
            if sets is not None:
                target = self.questions.get(str(sets))
                if target is None:
                    raise self.fail(f"sets unknown question '{sets}'", derived_id)
                if target.group != group:
                    raise self.fail(f"sets '{sets}' which is not in the same group", derived_id)
                target.set_by_system = True
            derived = DerivedValue(
                id=derived_id,
                value=self.expression(raw["value"], derived_id),
                label=raw.get("label"),
                condition=self.optional_expression(raw.get("condition"), derived_id),
                sets=None if sets is None else str(sets),
                group=group,
            )
            self.derived.append(derived)
            self.derived_by_id[derived_id] = derived

    def build_rules(self) -> list[Rule]:
        rules: list[Rule] = []
        seen: set[str] = set()
        for raw in self.raw.get("validations") or []:
            rule_id = self.require_id(raw, "validation")
            if rule_id in seen:
                raise self.fail("duplicate validation id", rule_id)
            seen.add(rule_id)
            severity = raw.get("severity", "hard")
            if severity not in ("hard", "soft"):
                raise self.fail(f"severity must be hard or soft, not {severity!r}", rule_id)
            group = raw.get("group")
            if group is not None and group not in self.groups:
                raise self.fail(f"unknown group '{group}'", rule_id)
            if "when" not in raw:
                raise self.fail("validation has no 'when'", rule_id)
            fields = [str(f) for f in raw.get("fields") or []]
            for field_id in fields:
                question = self.questions.get(field_id)
                if question is None:
                    raise self.fail(f"fields names unknown question '{field_id}'", rule_id)
                if question.group is not None and question.group != group:
                    raise self.fail(f"field '{field_id}' is in group '{question.group}'; set group: on the rule", rule_id)
            message = str(raw.get("message") or "")
            if not message:
                raise self.fail("validation has no message", rule_id)
            rules.append(
                Rule(
                    id=rule_id,
                    severity=severity,
                    when=self.expression(raw["when"], rule_id),
                    fields=fields,
                    message=message,
                    ref=raw.get("ref"),
                    group=group,
                    title=raw.get("title"),
                    confirm_label=raw.get("confirm_label"),
                )
            )
        return rules

    # -- checks

    def check_template_fields(self) -> None:
        used: dict[int, str] = {}
        for question in self.questions.values():
            for number in question.all_template_fields():
                if number in used:
                    raise self.fail(f"template field {number} is already used by '{used[number]}'", question.id)
                used[number] = question.id

    def names_for(self, group: str | None) -> set[str]:
        names = {q.id for q in self.questions.values() if q.group is None}
        names |= {d.id for d in self.derived if d.group is None}
        names |= set(self.groups) | self.context_names
        if group is not None:
            names |= set(self.groups[group].question_ids)
            names |= {d.id for d in self.derived if d.group == group}
            names.add(ITEM_NUMBER)
        return names

    def check_names(self, expression: Expression, group: str | None, owner: str) -> None:
        self.check_aggregates(expression.ast, expression.source, owner)
        for use in expression.name_uses:
            scope_group = use.group or group
            if use.name not in self.names_for(scope_group):
                error = ExpressionError(f"unknown name '{use.name}'", expression.source, use.col)
                raise error.located(file=self.label, item_id=owner)

    def check_aggregates(self, node: Node, source: str, owner: str) -> None:
        if isinstance(node, Call) and node.func in AGGREGATES:
            first = node.args[0]
            if getattr(first, "name", None) not in self.groups:
                error = ExpressionError(f"{node.func}() needs a repeating group id first", source, first.col)
                raise error.located(file=self.label, item_id=owner)
        for child in _children(node):
            self.check_aggregates(child, source, owner)


def _children(node: Node) -> list[Node]:
    children: list[Node] = []
    for name in ("operand", "left", "right"):
        child = getattr(node, name, None)
        if isinstance(child, Node):
            children.append(child)
    children.extend(getattr(node, "args", None) or getattr(node, "items", None) or [])
    for key, value in getattr(node, "pairs", None) or []:
        children.extend((key, value))
    return children


class _OrderChecker:
    """Checks names and forward references. Positions are the order questions are asked."""

    def __init__(self, builder: _Builder) -> None:
        self.builder = builder
        self.cache: dict[str, int] = {}
        self.derived_index = {d.id: i for i, d in enumerate(builder.derived)}

    def input_position(self, name: str) -> int:
        """The position of the latest question the value of `name` depends on (-1: none)."""
        if name in self.cache:
            return self.cache[name]
        b = self.builder
        position = -1
        if name in b.questions:
            position = b.questions[name].position
        elif name in b.groups:
            position = max((b.questions[q].position for q in b.groups[name].question_ids), default=-1)
        elif name in b.derived_by_id:
            derived = b.derived_by_id[name]
            self.cache[name] = -1  # derived values only read earlier ones, so no cycles; guard anyway
            expressions = [derived.value] + ([derived.condition] if derived.condition else [])
            position = max((self.input_position(u.name) for e in expressions for u in e.name_uses), default=-1)
        self.cache[name] = position
        return position

    def check_before(self, expression: Expression | None, group: str | None, owner: str, position: int) -> None:
        if expression is None:
            return
        self.builder.check_names(expression, group, owner)
        for use in expression.name_uses:
            if self.input_position(use.name) >= position:
                error = ExpressionError(
                    f"'{use.name}' is asked later than this (or on the same page): conditions may only refer to "
                    "questions asked earlier", expression.source, use.col)
                raise error.located(file=self.builder.label, item_id=owner)

    def check_derived(self) -> None:
        for index, derived in enumerate(self.builder.derived):
            for expression in (derived.value, derived.condition):
                if expression is None:
                    continue
                self.builder.check_names(expression, derived.group, derived.id)
                for use in expression.name_uses:
                    if self.derived_index.get(use.name, -1) >= index:
                        error = ExpressionError(
                            f"derived value '{use.name}' is defined later (or is this one): a derived value may "
                            "only use earlier derived values", expression.source, use.col)
                        raise error.located(file=self.builder.label, item_id=derived.id)

    def check_sections(self, sections: list[Section]) -> None:
        for section in sections:
            first = min((q.position for p in section.pages for q in p.questions), default=0)
            self.check_before(section.condition, None, section.id, first)
            for page in section.pages:
                self.check_before(page.condition, page.group, page.id, page.questions[0].position)
                for question in page.questions:
                    self.check_before(question.condition, page.group, question.id, question.position)
                    for bound in (question.min, question.max):
                        if isinstance(bound, Expression):
                            self.builder.check_names(bound, question.group, question.id)

    def check_groups(self) -> None:
        b = self.builder
        for group in b.groups.values():
            if not group.question_ids:
                raise b.fail("group has no pages", group.id)
            first = min(b.questions[q].position for q in group.question_ids)
            self.check_before(group.count, None, group.id, first)


_META_NAME_KEYS = ("date_question", "owner_question", "manager_question", "assignee_question")
_META_LIST_KEYS = ("record_reference", "search_fields", "duplicate_check", "list_filters", "case_key")


def build_definition(
    raw: dict[str, Any],
    label: str,
    *,
    functions: Mapping[str, Callable[..., Any]],
    option_sources: Iterable[str] = (),
    codecs: Iterable[str] = (),
    context_names: Iterable[str] = (),
) -> Definition:

    for key in ("collection", "form", "year"):
        if raw.get(key) in (None, ""):
            raise DefinitionError(f"top-level key '{key}' is missing", file=label)
    builder = _Builder(raw, label, functions, set(option_sources), set(codecs), set(context_names))
    builder.build_groups()
    sections = builder.build_sections()
    builder.check_template_fields()
    builder.build_derived()
    rules = builder.build_rules()
    checker = _OrderChecker(builder)
    checker.check_derived()
    checker.check_sections(sections)
    checker.check_groups()
    for rule in rules:
        builder.check_names(rule.when, rule.group, rule.id)
    known = builder.names_for(None)
    for key in _META_NAME_KEYS:
        if raw.get(key) is not None and raw[key] not in known:
            raise DefinitionError(f"{key} names unknown question '{raw[key]}'", file=label)
    for key in _META_LIST_KEYS:
        for name in raw.get(key) or []:
            if name not in known:
                raise DefinitionError(f"{key} names unknown question '{name}'", file=label)
    return Definition(
        raw=raw,
        source=label,
        sections=sections,
        groups=builder.groups,
        questions=builder.questions,
        derived=builder.derived,
        validations=rules,
        context_names=frozenset(context_names),
    )


def load_definition(
    path: Path | list[Path],
    *,
    functions: Mapping[str, Callable[..., Any]] | None = None,
    option_sources: Iterable[str] = (),
    codecs: Iterable[str] = (),
    base_resolver: Callable[[str], Path] | None = None,
    context_names: Iterable[str] = (),
) -> Definition:
    """Load, merge, apply `extends` changes, check and compile a definition. Raises DefinitionError."""
    raw, label = read_raw(path)
    raw = resolve_extends(raw, label, base_resolver)
    return build_definition(
        raw, label, functions=functions or {}, option_sources=option_sources, codecs=codecs,
        context_names=context_names,
    )
