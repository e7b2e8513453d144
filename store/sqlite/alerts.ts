import type { AlertStore } from '../contract.ts';
import type { Db } from './db.ts';
const todo = () => Promise.reject(new Error('alert store: not implemented yet'));
export function createAlertStore(_db: Db): AlertStore {
  return { getAlertState: todo, compareAndSetAlertState: todo, listIncidents: todo, listOpenIncidents: todo, getEvaluatorCursor: todo, setEvaluatorCursor: todo };
}
