/**
 * The admin token field of the Control and MLOps pages. The token typed (Enter, or leaving the
 * field) is exchanged for a server-side admin session and the field is cleared; "Forget admin
 * token" ends it. Hidden when the server has no ADMIN_TOKENS (commands then come from this
 * machine only, with no token).
 */
import { useEffect, useState } from "react";
import { forgetAdmin, sessionState, signInAdmin } from "../session.js";
import { errorText } from "../hooks.js";

export function AdminSignIn(props: { onChange?: () => void; className?: string }) {
  const [state, setState] = useState<{ admin: boolean; adminTokens: boolean } | null>(null);
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    sessionState().then(setState, (e: unknown) => setError(errorText(e)));
  }, []);
  const changed = (admin: boolean) => {
    setState((s) => (s ? { ...s, admin } : s));
    props.onChange?.();
  };
  // Applied when the field is left (or Enter), not per keystroke: each attempt is a request.
  const submit = async () => {
    const token = value.trim();
    if (token === "") return;
    setValue("");
    try {
      await signInAdmin(token);
      setError(null);
      changed(true);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const forget = async () => {
    try {
      await forgetAdmin();
      changed(false);
    } catch (e) {
      setError(errorText(e));
    }
  };
  if (state === null || !state.adminTokens) return error ? <span className="muted small" role="alert">{error}</span> : null;
  return (
    <span className="admin-sign-in" data-testid="admin-sign-in">
      {state.admin ? (
        <button className="btn" onClick={() => void forget()}>
          Forget admin token
        </button>
      ) : (
        <input
          className={props.className}
          type="password"
          aria-label="admin token"
          placeholder="admin token"
          autoComplete="off"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          onBlur={() => void submit()}
          onKeyDown={(e) => e.key === "Enter" && void submit()}
        />
      )}
      {error && (
        <span className="muted small" role="alert" data-testid="admin-sign-in-error">
          {error}
        </span>
      )}
    </span>
  );
}
