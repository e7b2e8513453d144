import type { OutboxStore } from '../contract.ts';
import type { Db } from './db.ts';
const todo = () => Promise.reject(new Error('outbox: not implemented yet'));
export function createOutboxStore(_db: Db): OutboxStore {
  return { enqueueDeliveries: todo, claimDueDeliveries: todo, completeDelivery: todo, failDelivery: todo, listDeliveries: todo };
}
