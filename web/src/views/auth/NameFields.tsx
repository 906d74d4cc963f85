import { Field } from "../../components/ui";

export interface Names {
  first_name: string;
  last_name: string;
}

/** First and last name, side by side from 600 px, as sign up and joining ask for them. */
export function NameFields({ names, onChange, error }: {
  names: Names;
  onChange: (field: keyof Names, value: string) => void;
  error: (field: string) => string | undefined;
}) {
  return (
    <div className="form-row">
      <Field label="First name" error={error("first_name")}>
        <input value={names.first_name} onChange={(e) => onChange("first_name", e.target.value)} autoComplete="given-name" />
      </Field>
      <Field label="Last name" error={error("last_name")}>
        <input value={names.last_name} onChange={(e) => onChange("last_name", e.target.value)} autoComplete="family-name" />
      </Field>
    </div>
  );
}
