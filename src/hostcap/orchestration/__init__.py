"""Unattended refreshes: when source files change (`hostcap watch`, `serve --watch`) and on a schedule.

The API and the CLI stay thin over `Orchestrator`; each part has one job: `watcher` notices changes,
`changes` decides by content, `schedule` tells the time, `service` runs the refreshes one at a time.
"""

from hostcap.orchestration.service import Orchestrator
from hostcap.orchestration.settings import OrchestrationSettings
from hostcap.orchestration.status import OrchestrationStatus

__all__ = ["OrchestrationSettings", "OrchestrationStatus", "Orchestrator"]
