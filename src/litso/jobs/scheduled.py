from litso.jobs.heartbeat import requeue_orphaned_tasks
from litso.jobs.scheduler import periodic

periodic("jobs.requeue_orphaned_tasks", every_seconds=15)(requeue_orphaned_tasks)
