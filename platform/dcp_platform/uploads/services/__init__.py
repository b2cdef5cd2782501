"""Bulk upload's services, one module per stage: receiving (store, check, map a file), processing (evaluate and
store its rows, resumably) and review (fix rows, confirm soft problems, confirm the upload).

The names views, tasks and other apps use are listed here; what a stage keeps to itself stays in its module.
"""

from .processing import (
    CHUNK_ROWS,
    PROCESSES_FROM_ROWS,
    process_rows,
    process_upload,
    stalled_upload_ids,
    summarise,
    summarise_in_python,
)
from .receiving import (
    NOT_USED,
    Received,
    check_column_choices,
    check_upload,
    column_values,
    confirm_mapping,
    receive_file,
    save_column_choices,
    uploads_dir,
)
from .review import (
    SoftConfirmation,
    StalledConfirmation,
    confirm_soft_problem_for_all,
    confirm_upload,
    finish_confirming_soft_problem,
    hidden_record_open_to,
    recent_uploads_for,
    refresh_upload_row,
    stalled_confirmations,
    start_confirming_soft_problem,
    sync_rows_changed_on_the_web,
)

__all__ = [
    "CHUNK_ROWS", "NOT_USED", "PROCESSES_FROM_ROWS", "Received", "SoftConfirmation", "StalledConfirmation",
    "check_column_choices", "check_upload", "column_values", "confirm_mapping", "confirm_soft_problem_for_all",
    "confirm_upload", "finish_confirming_soft_problem", "hidden_record_open_to", "process_rows", "process_upload", "recent_uploads_for",
    "receive_file", "refresh_upload_row", "save_column_choices", "stalled_confirmations", "stalled_upload_ids",
    "start_confirming_soft_problem", "summarise", "summarise_in_python", "sync_rows_changed_on_the_web",
    "uploads_dir",
]
