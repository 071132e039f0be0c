import { type AppError, conflict, invalid, notEnoughCredits, refused, unprocessable, unprocessableFields } from '../../shared/app/errors';

/** The error constructors every use case builds its problems with; these are the fields the API answers with. */
const shape = (e: AppError) => ({ status: e.status, code: e.code, title: e.title, detail: e.message, errors: e.errors, extra: e.extra });

describe('error constructors', () => {
  test('unprocessable names its field and may carry extra members', () => {
    expect(shape(unprocessable('insufficient_balance', '/amount', 'would go below zero', { balance: '1.00' }))).toEqual({
      status: 422,
      code: 'insufficient_balance',
      title: 'The request cannot be carried out',
      detail: '/amount would go below zero',
      errors: [{ path: '/amount', message: 'would go below zero' }],
      extra: { balance: '1.00' },
    });
  });

  test('unprocessableFields names every field, with the general title unless told', () => {
    const errors = [
      { path: '/a', message: 'is bad' },
      { path: '/b', message: 'is worse' },
    ];
    expect(shape(unprocessableFields('invalid_trigger_mapping', errors))).toEqual({
      status: 422,
      code: 'invalid_trigger_mapping',
      title: 'The request cannot be carried out',
      detail: '/a is bad; /b is worse',
      errors,
      extra: undefined,
    });
    expect(unprocessableFields('payload_mismatch', errors, 'The payload does not match').title).toBe('The payload does not match');
  });

  test('refused, notEnoughCredits, conflict and invalid', () => {
    expect(shape(refused('empty_message', 'nothing to send', 'Skipped'))).toEqual({
      status: 422,
      code: 'empty_message',
      title: 'Skipped',
      detail: 'nothing to send',
      errors: undefined,
      extra: undefined,
    });
    expect(shape(notEnoughCredits('costs 1.00', { balance: '0.50' }))).toEqual({
      status: 402,
      code: 'insufficient_credits',
      title: 'Not enough credits',
      detail: 'costs 1.00',
      errors: undefined,
      extra: { balance: '0.50' },
    });
    expect(shape(conflict('group_exists', 'taken', [{ path: '/name', message: 'is taken' }], { groupId: 'grp_1' }))).toEqual({
      status: 409,
      code: 'group_exists',
      title: 'Conflict',
      detail: 'taken',
      errors: [{ path: '/name', message: 'is taken' }],
      extra: { groupId: 'grp_1' },
    });
    expect(shape(invalid([{ path: 'header/Idempotency-Key', message: 'is long' }], 'header Idempotency-Key is long')).detail).toBe(
      'header Idempotency-Key is long',
    );
  });
});
