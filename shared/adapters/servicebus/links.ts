import Long from 'long';
import type { ServiceBusReceivedMessage, ServiceBusReceiver, ServiceBusReceiverOptions, ServiceBusSender } from '@azure/service-bus';

/** The part of `ServiceBusSender` the adapter uses. */
export type ServiceBusSenderLike = Pick<ServiceBusSender, 'scheduleMessages' | 'cancelScheduledMessages' | 'close'>;

/** The part of `ServiceBusReceiver` the adapter uses (peekLock mode only). */
export type ServiceBusReceiverLike = Pick<
  ServiceBusReceiver,
  'receiveMessages' | 'peekMessages' | 'completeMessage' | 'abandonMessage' | 'deadLetterMessage' | 'close'
>;

/** The part of `ServiceBusClient` the adapter uses, so an in-memory fake can stand in for tests. */
export interface ServiceBusClientLike {
  createSender(queueOrTopicName: string): ServiceBusSenderLike;
  createReceiver(queueName: string, options?: ServiceBusReceiverOptions): ServiceBusReceiverLike;
  close(): Promise<void>;
}

/** One sender, one peekLock receiver and one dead-letter receiver per queue, opened on first use. */
export class ServiceBusLinks {
  private readonly senders = new Map<string, ServiceBusSenderLike>();
  private readonly receivers = new Map<string, ServiceBusReceiverLike>();
  private readonly dlqReceivers = new Map<string, ServiceBusReceiverLike>();

  constructor(
    private readonly client: ServiceBusClientLike,
    private readonly entityName: (queue: string) => string,
  ) {}

  sender(queue: string): ServiceBusSenderLike {
    let sender = this.senders.get(queue);
    if (!sender) {
      sender = this.client.createSender(this.entityName(queue));
      this.senders.set(queue, sender);
    }
    return sender;
  }

  receiver(queue: string): ServiceBusReceiverLike {
    let receiver = this.receivers.get(queue);
    if (!receiver) {
      receiver = this.client.createReceiver(this.entityName(queue), { receiveMode: 'peekLock' });
      this.receivers.set(queue, receiver);
    }
    return receiver;
  }

  dlqReceiver(queue: string): ServiceBusReceiverLike {
    let receiver = this.dlqReceivers.get(queue);
    if (!receiver) {
      receiver = this.client.createReceiver(this.entityName(queue), {
        receiveMode: 'peekLock',
        subQueueType: 'deadLetter',
      });
      this.dlqReceivers.set(queue, receiver);
    }
    return receiver;
  }

  /** Closes every link opened so far (not the client, which the caller owns). */
  async close(): Promise<void> {
    const all = [...this.senders.values(), ...this.receivers.values(), ...this.dlqReceivers.values()];
    this.senders.clear();
    this.receivers.clear();
    this.dlqReceivers.clear();
    await Promise.all(all.map((link) => link.close()));
  }
}

export function sequenceOf(message: ServiceBusReceivedMessage): string {
  if (!message.sequenceNumber) throw new Error('received a Service Bus message without a sequence number');
  return message.sequenceNumber.toString();
}

/** Peeks from the first sequence number on (peek otherwise resumes where the last peek stopped). */
export async function* peekAll(receiver: ServiceBusReceiverLike, limit: number): AsyncGenerator<ServiceBusReceivedMessage> {
  let from = Long.ZERO;
  let seen = 0;
  while (seen < limit) {
    const page = await receiver.peekMessages(Math.min(100, limit - seen), { fromSequenceNumber: from });
    if (page.length === 0) return;
    for (const message of page) {
      yield message;
      seen += 1;
    }
    const last = page[page.length - 1];
    if (!last?.sequenceNumber) return;
    from = last.sequenceNumber.add(1);
  }
}
