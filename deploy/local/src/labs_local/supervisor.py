"""The set of children of one suite, started one by one and stopped all at once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from labs_local.output import Output
from labs_local.processes import ChildSpec, RestartPolicy, SupervisedChild


@dataclass
class Supervisor:
    output: Output
    policy: RestartPolicy = field(default_factory=RestartPolicy)
    # Python children forked from the fork server (labs_local.forked) instead of exec'd.
    fork: bool = False
    children: dict[str, SupervisedChild] = field(default_factory=dict)

    def start(self, spec: ChildSpec) -> SupervisedChild:
        if spec.name in self.children:
            raise ValueError(f"a child named {spec.name!r} is already supervised")
        child = SupervisedChild(spec, self.output, self.policy, self.fork)
        self.children[spec.name] = child
        child.start()
        return child

    async def stop(self, kill_after: float) -> None:
        """Stops every child in parallel, so stopping the suite takes about `kill_after` at most,
        not that times the number of children."""
        await asyncio.gather(*(child.stop(kill_after) for child in self.children.values()))
