"""Errors raised while loading definitions and parsing expressions."""

from __future__ import annotations


class DefinitionError(Exception):
    """A definition is wrong. The message names the file, the id and the problem."""

    def __init__(self, message: str, *, file: str | None = None, item_id: str | None = None) -> None:
        self.problem = message
        self.file = file
        self.item_id = item_id
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.item_id:
            where.append(f"'{self.item_id}'")
        prefix = ": ".join(where)
        return f"{prefix}: {self.problem}" if prefix else self.problem

    def located(self, *, file: str | None = None, item_id: str | None = None) -> DefinitionError:
        """A copy with the file/id filled in when they were not known where the error was raised."""
        return type(self)(self.problem, file=self.file or file, item_id=self.item_id or item_id)


class ExpressionError(DefinitionError):
    """A syntax or compile error in an expression; the message shows the expression and the column."""

    def __init__(self, message: str, expression: str = "", column: int = 0, **kwargs: str | None) -> None:
        self.expression = expression
        self.column = column
        self.reason = message
        detail = message
        if expression:
            pointer = " " * (column - 1) + "^"
            detail = f"{message} at column {column} in:\n    {expression}\n    {pointer}"
        super().__init__(detail, **kwargs)  # type: ignore[arg-type]

    def located(self, *, file: str | None = None, item_id: str | None = None) -> ExpressionError:
        error = ExpressionError(self.reason, self.expression, self.column, file=self.file or file,
                                item_id=self.item_id or item_id)
        return error
