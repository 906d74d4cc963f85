import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  TouchSensor,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
  type DragStartEvent,
  type KeyboardCoordinateGetter,
  type PointerSensorOptions,
  type UniqueIdentifier,
} from "@dnd-kit/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useId, useRef, useState, type PointerEvent } from "react";
import { useSearchParams } from "react-router-dom";

import { api } from "../../api/client";
import { hours } from "../../api/format";
import type { Task, TaskStatus } from "../../api/types";
import { Badge, ErrorNote, Loading } from "../../components/ui";
import { NewTaskForm } from "./NewTaskForm";
import { BOARD_COLUMNS, capitalize, PRIORITY_TONE, TASK_STATUS_LABEL, TASK_STATUSES } from "./labels";

interface TaskPage {
  tasks: Task[];
  next_cursor: string | null;
}

interface Move {
  task: Task;
  status: TaskStatus;
  /** The control the move was made with, when the keyboard made it. */
  control?: Refocus["control"];
}

/** A moved card lands in another column as a new element: which of its controls takes the focus
 * back, so a keyboard user carries on from where they were. */
interface Refocus {
  taskId: string;
  control: "handle" | "status";
}

/** Mouse and pen through pointer events; touch goes to the TouchSensor below, whose short press
 * delay tells a deliberate drag from a tap on the handle. */
class MousePenSensor extends PointerSensor {
  static activators = [
    {
      eventName: "onPointerDown" as const,
      handler: ({ nativeEvent: event }: PointerEvent, { onActivation }: PointerSensorOptions) => {
        if (!event.isPrimary || event.button !== 0 || event.pointerType === "touch") return false;
        onActivation?.({ event });
        return true;
      },
    },
  ];
}

/** Arrow left and right jump a keyboard drag to the neighbouring column. */
const columnCoordinates: KeyboardCoordinateGetter = (event, { context, currentCoordinates }) => {
  const step = event.code === "ArrowRight" ? 1 : event.code === "ArrowLeft" ? -1 : 0;
  if (!step) return undefined;
  event.preventDefault();
  const columns = BOARD_COLUMNS.flatMap((id) => {
    const rect = context.droppableRects.get(id);
    return rect ? [{ id, rect }] : [];
  });
  const current = context.over?.id ?? (context.active?.data.current as { task?: Task } | undefined)?.task?.status;
  const next = columns[columns.findIndex((c) => c.id === current) + step];
  if (!next) return currentCoordinates;
  const width = context.collisionRect?.width ?? 0;
  return { x: next.rect.left + Math.max(0, (next.rect.width - width) / 2), y: next.rect.top + 48 };
};

function taskOf(active: { data: { current?: unknown } }): Task | undefined {
  return (active.data.current as { task?: Task } | undefined)?.task;
}

function columnName(id: UniqueIdentifier | undefined): string {
  return id !== undefined ? TASK_STATUS_LABEL[id as TaskStatus] ?? String(id) : "";
}

const announcements: Announcements = {
  onDragStart: ({ active }) =>
    `Picked up ${taskOf(active)?.title ?? "task"}. Left and right arrows choose a column, space drops it, escape cancels.`,
  onDragOver: ({ active, over }) =>
    over ? `${taskOf(active)?.title} is over ${columnName(over.id)}.` : `${taskOf(active)?.title} is not over a column.`,
  onDragEnd: ({ active, over }) =>
    over ? `${taskOf(active)?.title} dropped in ${columnName(over.id)}.` : `${taskOf(active)?.title} was not moved.`,
  onDragCancel: ({ active }) => `Moving ${taskOf(active)?.title} was cancelled.`,
};

const instructions = {
  draggable:
    "To move this task, press space or enter, choose a column with the left and right arrow keys, " +
    "then press space to drop it or escape to cancel. The card's Status menu does the same.",
};

export function Board({ projectId, canWrite }: { projectId: string; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const key = ["tasks", projectId];
  const tasks = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => api<TaskPage>(`/projects/${projectId}/tasks`, { query: { limit: 500 }, signal }),
  });

  const [refocus, setRefocus] = useState<Refocus | null>(null);
  const clearRefocus = useCallback(() => setRefocus(null), []);
  // ?task= names a card to show, e.g. a search result or an activity entry that links here.
  const found = useSearchParams()[0].get("task");

  const setStatus = (taskId: string, status: TaskStatus) =>
    queryClient.setQueryData<TaskPage>(key, (old) =>
      old && { ...old, tasks: old.tasks.map((t) => (t.id === taskId ? { ...t, status } : t)) },
    );

  const move = useMutation({
    mutationFn: ({ task, status }: Move) =>
      api<Task>(`/tasks/${task.id}`, { method: "PATCH", body: { status } }),
    onMutate: async ({ task, status, control }) => {
      await queryClient.cancelQueries({ queryKey: key });
      setStatus(task.id, status);
      if (control) setRefocus({ taskId: task.id, control });
    },
    // Only this card goes back: other moves made meanwhile stay where they were dropped.
    onError: (_error, { task, control }) => {
      setStatus(task.id, task.status);
      if (control) setRefocus({ taskId: task.id, control });
    },
    onSuccess: (saved) =>
      queryClient.setQueryData<TaskPage>(key, (old) =>
        old && { ...old, tasks: old.tasks.map((t) => (t.id === saved.id ? saved : t)) },
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: key }),
  });

  const requestMove = (task: Task, status: TaskStatus, control?: Refocus["control"]) => {
    if (task.status !== status) move.mutate({ task, status, control });
  };

  const sensors = useSensors(
    useSensor(MousePenSensor, { activationConstraint: { distance: 5 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 200, tolerance: 8 } }),
    useSensor(KeyboardSensor, { coordinateGetter: columnCoordinates }),
  );
  const [dragging, setDragging] = useState<Task | null>(null);

  function dragStart({ active }: DragStartEvent) {
    setDragging(taskOf(active) ?? null);
  }

  function dragEnd({ active, over, activatorEvent }: DragEndEvent) {
    setDragging(null);
    const task = taskOf(active);
    const byKeyboard = activatorEvent instanceof KeyboardEvent;
    if (task && over) requestMove(task, over.id as TaskStatus, byKeyboard ? "handle" : undefined);
  }

  if (tasks.isPending) return <Loading label="Loading tasks" />;
  if (tasks.isError) return <ErrorNote error={tasks.error} />;

  const all = tasks.data.tasks;
  const cancelled = all.filter((t) => t.status === "cancelled").length;

  return (
    <div className="grid board-view">
      {canWrite && <NewTaskForm projectId={projectId} />}
      {move.isError && (
        <div className="move-error">
          <p>Could not move “{move.variables.task.title}” to {TASK_STATUS_LABEL[move.variables.status]}; it is back in {TASK_STATUS_LABEL[move.variables.task.status]}.</p>
          <ErrorNote error={move.error} />
        </div>
      )}
      <DndContext
        sensors={sensors}
        onDragStart={dragStart}
        onDragEnd={dragEnd}
        onDragCancel={() => setDragging(null)}
        accessibility={{ announcements, screenReaderInstructions: instructions }}
      >
        <div className="board" role="region" aria-label="Task board">
          {BOARD_COLUMNS.map((status) => (
            <Column
              key={status}
              status={status}
              tasks={all.filter((t) => t.status === status)}
              canWrite={canWrite}
              onMove={requestMove}
              refocus={refocus}
              onRefocused={clearRefocus}
              found={found}
            />
          ))}
        </div>
        <DragOverlay>{dragging && <TaskCardBody task={dragging} />}</DragOverlay>
      </DndContext>
      {(cancelled > 0 || tasks.data.next_cursor) && (
        <p className="muted">
          {cancelled > 0 && `${cancelled} cancelled ${cancelled === 1 ? "task is" : "tasks are"} not shown. `}
          {tasks.data.next_cursor && "The board shows the first 500 tasks."}
        </p>
      )}
    </div>
  );
}

type MoveRequest = (task: Task, status: TaskStatus, control?: Refocus["control"]) => void;

function Column({ status, tasks, canWrite, onMove, refocus, onRefocused, found }: {
  status: TaskStatus;
  tasks: Task[];
  canWrite: boolean;
  onMove: MoveRequest;
  refocus: Refocus | null;
  onRefocused: () => void;
  found: string | null;
}) {
  const { setNodeRef, isOver } = useDroppable({ id: status });
  const headingId = useId();
  return (
    <section ref={setNodeRef} className={`board-column${isOver ? " over" : ""}`} aria-labelledby={headingId}>
      <h2 id={headingId} className="spread">
        {TASK_STATUS_LABEL[status]}
        <span className="badge" aria-label={`${tasks.length} tasks`}>{tasks.length}</span>
      </h2>
      {tasks.length === 0 ? (
        <p className="column-empty muted">No tasks</p>
      ) : (
        <ul className="task-list">
          {tasks.map((t) => (
            <TaskCard
              key={t.id}
              task={t}
              canWrite={canWrite}
              onMove={onMove}
              focus={refocus?.taskId === t.id ? refocus.control : undefined}
              onFocused={onRefocused}
              found={found === t.id}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function TaskCard({ task, canWrite, onMove, focus, onFocused, found }: {
  task: Task;
  canWrite: boolean;
  onMove: MoveRequest;
  focus?: Refocus["control"];
  onFocused: () => void;
  found: boolean;
}) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, isDragging } = useDraggable({
    id: task.id,
    data: { task },
    disabled: !canWrite,
  });
  const titleId = useId();
  const handle = useRef<HTMLButtonElement | null>(null);
  const select = useRef<HTMLSelectElement>(null);
  useEffect(() => {
    if (!focus) return;
    const control = focus === "handle" ? handle.current : select.current;
    control?.focus({ preventScroll: true });
    control?.scrollIntoView?.({ block: "nearest", inline: "start" });
    onFocused();
  }, [focus, onFocused]);
  const card = useRef<HTMLElement>(null);
  useEffect(() => {
    if (!found) return;
    card.current?.focus({ preventScroll: true });
    card.current?.scrollIntoView?.({ block: "center", inline: "start" });
  }, [found]);
  return (
    <li ref={setNodeRef} className={isDragging ? "dragging" : undefined}>
      <article
        ref={card}
        className={found ? "task-card found" : "task-card"}
        aria-labelledby={titleId}
        aria-current={found ? "true" : undefined}
        tabIndex={found ? -1 : undefined}
      >
        <div className="task-card-top">
          {canWrite && (
            <button
              type="button"
              ref={(node) => {
                setActivatorNodeRef(node);
                handle.current = node;
              }}
              className="drag-handle"
              aria-label={`Drag ${task.title}`}
              {...attributes}
              {...listeners}
            >
              <span aria-hidden="true">⠿</span>
            </button>
          )}
          <TaskSummary task={task} titleId={titleId} />
        </div>
        {canWrite && (
          <label className="task-status">
            <span className="sr-only">Status</span>
            <select ref={select} value={task.status} onChange={(e) => onMove(task, e.target.value as TaskStatus, "status")}>
              {TASK_STATUSES.map((s) => (
                <option key={s} value={s}>{TASK_STATUS_LABEL[s]}</option>
              ))}
            </select>
          </label>
        )}
      </article>
    </li>
  );
}

/** What the overlay shows while a card is dragged. */
function TaskCardBody({ task }: { task: Task }) {
  return (
    <div className="task-card overlay">
      <TaskSummary task={task} />
    </div>
  );
}

function TaskSummary({ task, titleId }: { task: Task; titleId?: string }) {
  return (
    <div className="task-summary">
      <h3 id={titleId} className="task-title">{task.title}</h3>
      <div className="task-meta">
        {task.type && <Badge>{capitalize(task.type)}</Badge>}
        <Badge tone={PRIORITY_TONE[task.priority] ?? "none"}>{capitalize(task.priority)}</Badge>
        {task.estimated_hours != null && <span className="muted">{hours(task.estimated_hours)}</span>}
        {task.story_points != null && <span className="muted">{task.story_points} pts</span>}
      </div>
    </div>
  );
}
