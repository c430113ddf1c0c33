"""The control library: declarative controls, frameworks, and their evaluation.

Controls live in `controls/<provider>/<id>.yaml`, frameworks in `frameworks/<id>.yaml`;
see docs/compliance.md for the format and the condition language.
"""

from sealtrail.compliance.library.evaluate import Evaluation, Status, evaluate
from sealtrail.compliance.library.loader import LibraryError, load_library
from sealtrail.compliance.library.models import Control, Framework, Library, Requirement

__all__ = [
    "Control",
    "Evaluation",
    "Framework",
    "Library",
    "LibraryError",
    "Requirement",
    "Status",
    "evaluate",
    "load_library",
]
