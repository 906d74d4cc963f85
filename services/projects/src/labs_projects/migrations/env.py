from labs_common.db.migrations import run_env
from labs_projects.adapters.orm import metadata

run_env(target_metadata=metadata)
