import type { JsMsg } from "@nats-io/jetstream";

/**
 * The deliveries of one consumer incarnation, checked to come 1, 2, 3, … (JetStream counts every
 * delivery, redeliveries too, without holes, from 1 on a created durable). A gap means a delivery
 * was lost in transit (a reconnect, a pull closed while the server still sent to it) or another
 * client pulls from the same durable. The first message is checked too: a lost first pull would
 * otherwise be acknowledged by the next AckAll. A new incarnation needs a new DeliveryOrder.
 */
export class DeliveryOrder {
  #last = 0;

  /** The delivery sequence due next. */
  get expected(): number {
    return this.#last + 1;
  }

  /** Takes the message's delivery sequence; false when it is not the one due. */
  accept(msg: Pick<JsMsg, "info">): boolean {
    const delivery = msg.info.deliverySequence;
    const inOrder = delivery === this.#last + 1;
    this.#last = delivery;
    return inOrder;
  }
}
