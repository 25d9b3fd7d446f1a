"""Prefect wiring of the storywatch pipeline: flows, tasks, deployments. The only package that imports prefect.

Modules:
  settings     the ``prefect:`` section of the config (retries, timeouts, task runner)
  runners      task runner choice: Dask when prefect-dask is installed and asked for, else threads
  lease        one ingest run per watch at a time, with or without a Prefect server
  tasks        one task per pipeline stage (or per batch of pages), never per article
  cycle        one ingest cycle made of those tasks, bookkept like ``pipeline.run_cycle_in``
  artifacts    the Markdown summary, the new-articles table and the report link of a run
  notify       failure/crash hooks that alert through the configured channels
  ingest / digest / backfill / replay   the flows named in prefect.yaml
  deployments  prefect.yaml -> deployments that ``storywatch serve`` runs in one process
  server       find or start the Prefect server that schedules need
"""
