import { InvalidTaskMessageError, taskFromServiceBusMessage } from '../../shared/adapters/servicebus/taskMessage';
import { QUEUE_OF } from '../../shared/ports/taskQueue';
import { sms } from './serviceBusSetup';

describe('taskFromServiceBusMessage (Functions trigger input)', () => {
  const task = sms(1);

  it('reads an object, JSON text or Buffer body and the attempt from deliveryCount', () => {
    expect(taskFromServiceBusMessage({ body: task, deliveryCount: 1 })).toStrictEqual({ task, attempt: 1 });
    expect(taskFromServiceBusMessage({ body: JSON.stringify(task), deliveryCount: 3 })).toStrictEqual({ task, attempt: 3 });
    expect(
      taskFromServiceBusMessage({
        body: Buffer.from(JSON.stringify(task)),
        deliveryCount: 2,
        applicationProperties: { dfAttempt: 4 },
      }),
    ).toStrictEqual({ task, attempt: 5 });
  });

  it('keeps only the fields of the task type', () => {
    const { task: parsed } = taskFromServiceBusMessage({ body: { ...task, extra: 1 }, deliveryCount: 1 });
    expect(parsed).toStrictEqual(task);
  });

  it('rejects unknown types, missing fields, non-JSON and a task of another queue', () => {
    const bad = [
      { type: 'sms.send.v2', accountId: 'a', messageId: 'm' },
      { type: 'sms.send.v1', accountId: 'a' },
      { type: 'simulator.dlr.v1', carrierMessageId: 'c', outcome: '' },
      'not json',
      null,
      [task],
    ];
    for (const body of bad) {
      expect(() => taskFromServiceBusMessage({ body, deliveryCount: 1 })).toThrow(InvalidTaskMessageError);
    }
    expect(() => taskFromServiceBusMessage({ body: task, deliveryCount: 1 }, QUEUE_OF['simulator.dlr.v1'])).toThrow(
      InvalidTaskMessageError,
    );
  });
});
