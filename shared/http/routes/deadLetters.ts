import { listDeadLetters, requeueDeadLetter, taskQueueNames } from '../../app/deadLetters';
import { defineRoute, type RouteDef } from '../route';
import { arr, int, obj, str } from '../../schema/builders';
import { idParam, pathParam, problemResponses } from './common';

// Computed from QUEUE_OF, so a queue added with a new task type is listed without touching this file.
const queueParam = pathParam('queue', str('Queue', 'Task queue name.', { enum: taskQueueNames() }));

const deadLetterSchema = obj(
  'Dead-lettered task',
  'A task that exhausted its attempts or could not be read.',
  {
    id: str('ID', 'Dead-letter entry id (pass it to the requeue route).'),
    queue: str('Queue', 'Queue the task belongs to.'),
    task: { type: 'object', title: 'Task', description: 'The task as it was sent (a tagged union on `type`).', additionalProperties: true },
    attempts: int('Attempts', 'Deliveries made before it was dead-lettered.'),
    reason: str('Reason', 'Why it was dead-lettered (last error).'),
    deadLetteredAt: str('Dead-lettered at', 'When (ISO 8601).', { format: 'date-time' }),
  },
  ['id', 'queue', 'task', 'attempts', 'reason', 'deadLetteredAt'],
);

/** Operator routes over the queue's dead-letter side (SQLite dead-letter state or the Service Bus DLQ). */
export const deadLetterRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: '/operator/queues/{queue}/dead-letters',
    operationId: 'AdminListDeadLetters',
    summary: 'List dead-lettered tasks',
    description: 'Operator route: tasks of a queue that exhausted their attempts (or could not be read), oldest first.',
    tags: ['Admin'],
    auth: 'admin',
    pathParams: [queueParam],
    query: [{ name: 'limit', schema: int('Limit', 'How many entries (1-500, default 100).', { minimum: 1, maximum: 500, default: 100 }) }],
    responses: {
      200: {
        description: 'The dead-lettered tasks.',
        schema: obj('Dead letters', 'Dead-lettered tasks of the queue.', { items: arr('Items', 'Oldest first.', deadLetterSchema) }, [
          'items',
        ]),
      },
      ...problemResponses(400, 404),
    },
    async handle({ deps, req }) {
      return { status: 200, body: { items: await listDeadLetters(deps, req.params.queue, req.query.limit) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/operator/queues/{queue}/dead-letters/{id}/requeue',
    operationId: 'AdminRequeueDeadLetter',
    summary: 'Re-queue a dead-lettered task',
    description: 'Operator route: sends a dead-lettered task again as a new task (attempt 1) and removes it from the dead letters.',
    tags: ['Admin'],
    auth: 'admin',
    pathParams: [queueParam, idParam('id', 'Dead-letter ID', 'The id from the dead-letter list.')],
    responses: {
      202: {
        description: 'Re-queued.',
        schema: obj(
          'Requeued',
          'The task was sent again.',
          {
            queue: str('Queue', 'The queue.'),
            id: str('ID', 'The dead-letter entry that was re-queued.'),
            requeued: { type: 'boolean', title: 'Requeued', description: 'Always true.' },
          },
          ['queue', 'id', 'requeued'],
        ),
      },
      ...problemResponses(404),
    },
    async handle({ deps, req }) {
      const { queue, id } = req.params;
      await requeueDeadLetter(deps, queue, id);
      return { status: 202, body: { queue, id, requeued: true } };
    },
  }),
];
