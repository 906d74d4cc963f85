from labs_common.db.migrations import run_env

run_env(target_metadata=None)
