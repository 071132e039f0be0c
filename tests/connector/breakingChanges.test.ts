import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { breakingChanges, extendLock, operationsOf, type OperationsLock } from '../../shared/connector/operationsLock';
import { CONNECTOR_DIR, committedDefinition } from './committed';

// The examples edit deep paths of the definition; typing every step would only add noise.
type Doc = any;

const lock = (): OperationsLock => JSON.parse(readFileSync(join(CONNECTOR_DIR, 'operations.lock.json'), 'utf8')) as OperationsLock;
const bodyOf = (d: Doc, path: string, method: string): Doc => d.paths[path][method].parameters.find((p: Doc) => p.in === 'body').schema;

describe('breaking-change guard (connector/operations.lock.json)', () => {
  test('the committed definition keeps every operation and parameter promise of the lock', () => {
    expect(breakingChanges(lock(), operationsOf(committedDefinition()))).toEqual([]);
  });

  test('the lock records every operation of the definition, with its required parameters', () => {
    const l = lock();
    for (const id of Object.keys(operationsOf(committedDefinition()))) expect(l[id]).toBeDefined();
    expect(l.SendSms).toMatchObject({
      method: 'POST',
      path: '/messages',
      parameters: { body: true, 'body.to': true, 'body.text': true, 'body.from': false, 'body.sendAt': false },
    });
    expect(l.OnSmsReceived!.parameters).toMatchObject({ 'body.callbackUrl': true, 'body.virtualNumber': false });
  });

  test('removing or renaming an operation fails', () => {
    const d: Doc = committedDefinition();
    d.paths['/balance'].get.operationId = 'GetCreditBalance';
    expect(breakingChanges(lock(), operationsOf(d))).toEqual([expect.stringMatching(/operation GetBalance .* was removed or renamed/)]);
  });

  test('making an optional parameter required fails, for body properties and query parameters alike', () => {
    const d: Doc = committedDefinition();
    bodyOf(d, '/messages', 'post').required.push('from');
    d.paths['/messages'].get.parameters.find((p: Doc) => p.name === 'status').required = true;
    const problems = breakingChanges(lock(), operationsOf(d));
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toMatch(/SendSms: parameter body\.from was optional and is now required/);
    expect(problems.join('\n')).toMatch(/ListMessages: parameter query\.status was optional and is now required/);
  });

  test('a new required parameter on an existing operation fails; a new optional one does not', () => {
    const d: Doc = committedDefinition();
    bodyOf(d, '/messages', 'post').properties.campaign = { type: 'string', 'x-ms-summary': 'Campaign', description: 'Campaign.' };
    expect(breakingChanges(lock(), operationsOf(d))).toEqual([]);
    bodyOf(d, '/messages', 'post').required.push('campaign');
    expect(breakingChanges(lock(), operationsOf(d))).toEqual([expect.stringMatching(/SendSms: new parameter body\.campaign is required/)]);
  });

  test('removing a parameter or moving an operation fails', () => {
    const d: Doc = committedDefinition();
    delete bodyOf(d, '/messages', 'post').properties.uniqueArgs;
    d.paths['/credit-balance'] = d.paths['/balance'];
    delete d.paths['/balance'];
    const problems = breakingChanges(lock(), operationsOf(d)).join('\n');
    expect(problems).toMatch(/SendSms: parameter body\.uniqueArgs was removed/);
    expect(problems).toMatch(/GetBalance moved from GET \/balance to GET \/credit-balance/);
  });

  test('a new operation is compatible, and building adds it to the lock without dropping or loosening anything', () => {
    const d: Doc = committedDefinition();
    d.paths['/messages/{messageId}/resend'] = { post: { ...d.paths['/messages/{messageId}/cancel'].post, operationId: 'ResendMessage' } };
    delete d.paths['/balance'];
    const now = operationsOf(d);
    expect(breakingChanges(lock(), now).join('\n')).toMatch(/GetBalance/);
    const extended = extendLock(lock(), now);
    expect(extended.ResendMessage).toBeDefined();
    expect(extended.GetBalance).toEqual(lock().GetBalance); // still promised: the guard keeps failing until it is restored
    expect(extended.SendSms).toEqual(lock().SendSms);
  });
});
