import type { ReactNode } from "react";

export function ErrorBanner(props: { children: ReactNode }) {
  return (
    <div className="banner error" role="alert">
      <strong>Problem</strong> {props.children}
    </div>
  );
}

export function Empty(props: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <div className="empty-title">{props.title}</div>
      {props.children !== undefined && <div className="empty-body">{props.children}</div>}
    </div>
  );
}

export function Spinner(props: { label: string }) {
  return (
    <div className="loading">
      <span className="spinner" aria-hidden /> {props.label}
    </div>
  );
}
