"""The definition engine: load, check and evaluate collection-year definitions (pure Python, no Django).

See docs/definition-format.md for the format.
"""

from .coerce import normalise_postcode
from .definition import Definition
from .errors import DefinitionError, ExpressionError
from .evaluation import Evaluation
from .expressions import Expression, parse_expression
from .loader import load_definition
from .model import (
    Cleared,
    DerivedValue,
    EvalContext,
    FieldRef,
    Group,
    Option,
    Page,
    PageInstance,
    Problem,
    Question,
    Rule,
    Section,
    TemplateFieldSpec,
)

__all__ = [
    "Cleared",
    "Definition",
    "DefinitionError",
    "DerivedValue",
    "EvalContext",
    "Evaluation",
    "Expression",
    "ExpressionError",
    "FieldRef",
    "Group",
    "Option",
    "Page",
    "PageInstance",
    "Problem",
    "Question",
    "Rule",
    "Section",
    "TemplateFieldSpec",
    "load_definition",
    "normalise_postcode",
    "parse_expression",
]
