/** "Sign out" in the header while this browser has a session (read or admin); the page then reloads (to the sign-in form when reads need a token). */
import { useEffect, useState } from "react";
import { SESSION_CHANGED, sessionState, signOut } from "../session.js";

export function SignOut() {
  const [signedIn, setSignedIn] = useState(false);
  useEffect(() => {
    const load = () => void sessionState().then((s) => setSignedIn(s.signedIn), () => setSignedIn(false));
    load();
    window.addEventListener(SESSION_CHANGED, load);
    return () => window.removeEventListener(SESSION_CHANGED, load);
  }, []);
  if (!signedIn) return null;
  return (
    <button className="btn" onClick={() => void signOut().then(() => location.reload())}>
      Sign out
    </button>
  );
}
