import type { Actor, ActorContext, ActorFactory, ActorRef, SupervisorStrategy } from "../../actor/types.js";
import { partitionActor, type PartitionCommand } from "./partition-actor.js";
import type { ShellMessage } from "./entity.js";
import { assertNever } from "../../assert-never.js";

export type PartitionActorRef<M, L> = ActorRef<PartitionCommand, ActorRef<ShellMessage<M, L>> | undefined>;

/** Commands of `/user/region-<name>`, the parent of the region's partition actors. */
export type GuardianCommand<M, L> =
  | { type: "start-partition"; partition: number; entity: (key: string) => ActorFactory<ShellMessage<M, L>> }
  | { type: "stop-partition"; partition: number; drain: boolean };

export type GuardianReply<M, L> = { ref: PartitionActorRef<M, L> } | { stopped: Promise<void> };

export function partitionActorName(partition: number): string {
  return `p${partition}`;
}

export function regionGuardian<M, L>(
  mailboxCapacity: number,
  entitySupervisor: SupervisorStrategy | undefined,
): ActorFactory<GuardianCommand<M, L>, GuardianReply<M, L>> {
  return (): Actor<GuardianCommand<M, L>, GuardianReply<M, L>> => ({
    receive(command: GuardianCommand<M, L>, ctx: ActorContext<GuardianCommand<M, L>>): GuardianReply<M, L> {
      const name = partitionActorName(command.partition);
      switch (command.type) {
        case "start-partition": {
          const options = entitySupervisor === undefined ? {} : { supervisor: entitySupervisor };
          return { ref: ctx.spawn(name, partitionActor<M, L>(command.entity, mailboxCapacity), options) };
        }
        case "stop-partition":
          // Returned inside an object so this mailbox does not wait for the drain: other partitions keep moving.
          return { stopped: ctx.stopChild(name, { drain: command.drain }) };
        default:
          return assertNever(command, "guardian command");
      }
    },
  });
}
