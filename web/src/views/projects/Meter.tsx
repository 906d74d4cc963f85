// A labelled horizontal bar (budget burn, sprint points): the number is the text, the bar decorates it.

export function Meter({ label, value, max = 100, text, tone = "none" }: {
  label: string;
  value: number;
  max?: number;
  text: string;
  tone?: "good" | "warn" | "bad" | "none";
}) {
  const ratio = max > 0 ? Math.min(1, Math.max(0, value / max)) : 0;
  return (
    <div className="bar-row">
      <span className="muted">{label}</span>
      <span className="num">{text}</span>
      <div
        className="bar-track"
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={Math.min(max, Math.max(0, value))}
        aria-valuetext={text}
      >
        <div className={`bar-fill tone-${tone}`} style={{ width: `${ratio * 100}%` }} />
      </div>
    </div>
  );
}
