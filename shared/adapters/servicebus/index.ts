export {
  createServiceBusTaskQueue,
  LeaseLostError,
  type ServiceBusClientLike,
  type ServiceBusReceiverLike,
  type ServiceBusSenderLike,
  type ServiceBusTaskQueue,
  type ServiceBusTaskQueueOptions,
} from './serviceBusTaskQueue';
export { serviceBusClientFromConfig, type ServiceBusConnectionConfig } from './client';
export {
  InvalidTaskMessageError,
  attemptOf,
  decodeBody,
  parseTask,
  taskFromServiceBusMessage,
  type ReceivedTaskMessage,
} from './taskMessage';
