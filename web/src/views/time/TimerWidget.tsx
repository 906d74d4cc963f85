// The running timer in the top bar: which project, how long, and a way to stop it. Live events
// (time:entry:started / stopped) refresh ["timer"], so every device shows the same one.

import { Link } from "react-router-dom";

import { idempotencyKey } from "../../api/client";
import { clock } from "../../api/format";
import { useProject, useTimer, type Entry } from "./queries";
import { useElapsed } from "./useElapsed";
import { useStopTimer } from "./useStopTimer";
import "./time.css";

export default function TimerWidget() {
  const timer = useTimer();
  if (timer.isPending || timer.isError) return null;
  if (!timer.data) {
    return (
      <Link to="/time" className="timer-widget timer-start-link">
        <span aria-hidden="true">▶</span> Start timer
      </Link>
    );
  }
  return <RunningTimer entry={timer.data} />;
}

function RunningTimer({ entry }: { entry: Entry }) {
  const project = useProject(entry.project_id);
  const elapsed = useElapsed(entry.started_at);
  const stop = useStopTimer();
  const name = project.data?.name ?? "Timer";
  return (
    <div className="timer-widget" role="group" aria-label="Running timer">
      <Link to="/time" className="timer-widget-project" title={name}>
        <span className="timer-pulse" aria-hidden="true" />
        <span className="timer-widget-name">{name}</span>
      </Link>
      <span className="timer-widget-clock">{clock(elapsed)}</span>
      <button
        type="button"
        className="timer-widget-stop"
        aria-label="Stop timer"
        disabled={stop.isPending}
        onClick={() => stop.mutate(idempotencyKey())}
      >
        <span aria-hidden="true" className="timer-stop-icon" />
        <span className="timer-widget-stop-label">Stop</span>
      </button>
      {stop.isError && (
        <span className="timer-widget-error" role="alert" title={stop.error.message}>
          Not stopped
        </span>
      )}
    </div>
  );
}
