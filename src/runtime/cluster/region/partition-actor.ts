import type { Actor, ActorContext, ActorFactory, ActorRef } from "../../actor/types.js";
import type { ShellMessage } from "./entity.js";
import { assertNever } from "../../assert-never.js";

/** Commands of the actor that parents one partition's entities (`.../p<partition>`). */
export type PartitionCommand =
  | { type: "entity"; key: string }
  | { type: "drain" };

/** Actor names may not contain "/" (and must not be empty); keys may. */
export function entityActorName(key: string): string {
  return key.length === 0 ? "%" : key.replaceAll("%", "%25").replaceAll("/", "%2F");
}

/**
 * Creates entity actors on demand (an actor tree spawns from inside the parent, so creation is a
 * message) and, on `drain`, stops every entity after its mailbox is empty — their postStop takes
 * the final snapshot.
 */
export function partitionActor<M, L>(
  entityFactory: (key: string) => ActorFactory<ShellMessage<M, L>>,
  mailboxCapacity: number,
): ActorFactory<PartitionCommand, ActorRef<ShellMessage<M, L>> | undefined> {
  return (): Actor<PartitionCommand, ActorRef<ShellMessage<M, L>> | undefined> => ({
    async receive(command: PartitionCommand, ctx: ActorContext<PartitionCommand>) {
      switch (command.type) {
        case "entity": {
          const name = entityActorName(command.key);
          const existing = ctx.child<ShellMessage<M, L>>(name);
          if (existing?.isAlive) return existing;
          // A stopped entity leaves its name once fully stopped; wait for that before respawning.
          if (existing !== undefined) await ctx.stopChild(name);
          return ctx.spawn(name, entityFactory(command.key), { mailboxCapacity });
        }
        case "drain":
          await Promise.all(ctx.children().map((child) => ctx.stopChild(child.path.slice(child.path.lastIndexOf("/") + 1), { drain: true })));
          return undefined;
        default:
          return assertNever(command, "partition command");
      }
    },
  });
}
