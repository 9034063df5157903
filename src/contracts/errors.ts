import type { z } from "zod";

/** A message that breaks a contract; each contract names its own subclass. */
export class InvalidContractMessage extends Error {}

/** `<path>: <message>` of a failed parse's first issue, "(root)" for the value itself. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid";
}
