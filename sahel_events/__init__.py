"""sahel-events: conflict events from Arabic news about the Sahel, as ACLED-like records."""

from .errors import Exit, Problem, RuleError, SahelEventsError
from .events import Event
from .extract import Candidate, DocMeta, Extractor
from .rules import RuleSet, load_rules

__version__ = "0.1.0"

__all__ = [
    "Candidate",
    "DocMeta",
    "Event",
    "Exit",
    "Extractor",
    "Problem",
    "RuleError",
    "RuleSet",
    "SahelEventsError",
    "__version__",
    "load_rules",
]
