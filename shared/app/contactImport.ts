import { CsvError, parse } from 'csv-parse/sync';
import { normalisePhone } from '../domain/phone';
import { textCharProblem } from '../domain/textChars';
import type { Account } from '../domain/types';
import { ConcurrencyError, DuplicateError } from '../ports';
import {
  CUSTOM_FIELDS_MAX,
  CUSTOM_FIELD_NAME_MAX,
  CUSTOM_FIELD_VALUE_MAX,
  NAME_MAX,
  checkGroupIds,
  emailProblem,
  groupIndex,
  insertContact,
  modifyContact,
  type GroupIndex,
} from './contacts';
import type { AppDeps } from './deps';
import { mapPooled } from './pool';
import { AppError, invalid, unprocessable } from './errors';

/** Data rows one import may hold (the header not counted). */
export const IMPORT_MAX_ROWS = 5_000;
/** Rows written at once. */
const CONCURRENCY = 8;

export interface ImportInput {
  csv: string;
  groupIds?: string[];
  updateExisting?: boolean;
}

/** `row` counts records as a spreadsheet shows them: the header is row 1. `field` is null for the row as a whole. */
export interface ImportError {
  row: number;
  field: string | null;
  message: string;
}

export interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  errors: ImportError[];
}

type Standard = 'phone' | 'firstName' | 'lastName' | 'email';

/** Header names read as the standard fields: case, spaces, dashes and underscores ignored. */
const STANDARD: Record<string, Standard> = {
  phone: 'phone',
  phonenumber: 'phone',
  mobile: 'phone',
  firstname: 'firstName',
  lastname: 'lastName',
  email: 'email',
};

interface Column {
  /** Standard field, or the custom field the column fills. */
  field: Standard | { custom: string };
  header: string;
}

interface Row {
  row: number;
  phone: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  customFields: Record<string, string>;
}

const csvInvalid = (message: string) => invalid([{ path: '/csv', message }]);

function readCsv(csv: string): string[][] {
  try {
    // RFC 4180 quoting (commas, quotes and line breaks inside quoted cells), a UTF-8 BOM as Excel writes it.
    return parse(csv, { bom: true, relax_column_count: true, skip_empty_lines: true, trim: true });
  } catch (err) {
    if (err instanceof CsvError) throw csvInvalid(`is not valid CSV: ${err.message}`);
    throw err;
  }
}

function columnsOf(header: string[]): Column[] {
  const columns = header.map((h, i): Column => {
    if (!h) throw csvInvalid(`column ${i + 1} of the header row has no name`);
    const problem = textCharProblem(h, false);
    if (problem) throw csvInvalid(`column ${i + 1} of the header row ${problem}`);
    const standard = STANDARD[h.toLowerCase().replace(/[\s_-]/g, '')];
    if (standard) return { field: standard, header: h };
    if (h.length > CUSTOM_FIELD_NAME_MAX)
      throw csvInvalid(`column name "${h.slice(0, 20)}..." is longer than ${CUSTOM_FIELD_NAME_MAX} characters`);
    return { field: { custom: h }, header: h };
  });
  const keys = columns.map((c) => (typeof c.field === 'string' ? c.field : `custom:${c.field.custom}`));
  const repeated = keys.findIndex((k, i) => keys.indexOf(k) !== i);
  if (repeated >= 0) throw csvInvalid(`the header row has the column "${columns[repeated]!.header}" twice`);
  if (!keys.includes('phone')) throw csvInvalid('the header row has no phone column');
  if (columns.filter((c) => typeof c.field !== 'string').length > CUSTOM_FIELDS_MAX)
    throw csvInvalid(`has more than ${CUSTOM_FIELDS_MAX} custom field columns`);
  return columns;
}

/** Reads one record; problems go to `errors` and the row is left out. */
function readRow(account: Account, columns: Column[], cells: string[], row: number, errors: ImportError[]): Row | null {
  if (cells.every((c) => c === '')) return null; // a row of empty cells (",,,") is a blank line
  if (cells.slice(columns.length).some((c) => c !== '')) {
    errors.push({ row, field: null, message: `has ${cells.length} cells; the header has ${columns.length}` });
    return null;
  }
  const out: Row = { row, phone: '', firstName: null, lastName: null, email: null, customFields: {} };
  let ok = true;
  const fail = (field: string, message: string) => {
    errors.push({ row, field, message });
    ok = false;
  };
  columns.forEach((col, i) => {
    const value = cells[i] ?? '';
    // The rule every JSON field follows (validation.ts): custom field values may span lines, the rest may not.
    const problem = textCharProblem(value, typeof col.field !== 'string');
    if (problem) return fail(typeof col.field === 'string' ? col.field : col.header, problem);
    if (typeof col.field !== 'string') {
      if (value.length > CUSTOM_FIELD_VALUE_MAX) fail(col.header, `must be at most ${CUSTOM_FIELD_VALUE_MAX} characters`);
      else if (value !== '') out.customFields[col.field.custom] = value;
      return;
    }
    if (col.field === 'phone') {
      if (value === '') return fail('phone', 'is required');
      const phone = normalisePhone(value, account.defaultCountry);
      if (phone.ok) out.phone = phone.e164;
      else fail('phone', phone.reason);
      return;
    }
    if (value === '') return;
    if (col.field === 'email') {
      const problem = emailProblem(value);
      if (problem) return fail('email', problem);
    } else if (value.length > NAME_MAX) {
      return fail(col.field, `must be at most ${NAME_MAX} characters`);
    }
    out[col.field] = value;
  });
  return ok ? out : null;
}

/**
 * Imports contacts from CSV: a header row (a phone column required; firstName, lastName and email
 * read as such; every other column becomes a custom field), then one contact per row. A bad row is
 * reported and skipped; the others are imported. New contacts join `groupIds`; existing ones (same
 * phone) are updated only with `updateExisting`: non-empty cells replace their values, custom fields
 * merge, and they join `groupIds` too. Every contact created or updated emits its event.
 */
export async function importContacts(deps: AppDeps, account: Account, input: ImportInput): Promise<ImportResult> {
  const groups = await groupIndex(deps, account.id);
  checkGroupIds(input.groupIds ?? [], groups);
  const records = readCsv(input.csv);
  const [header, ...data] = records;
  if (!header) throw csvInvalid('has no header row');
  if (data.length > IMPORT_MAX_ROWS) {
    throw unprocessable('too_many_rows', '/csv', `has ${data.length} rows; one import takes at most ${IMPORT_MAX_ROWS} (split the file)`);
  }
  const columns = columnsOf(header);

  const errors: ImportError[] = [];
  const rows: Row[] = [];
  const firstRowOf = new Map<string, number>();
  data.forEach((cells, i) => {
    const row = readRow(account, columns, cells, i + 2, errors);
    if (!row) return;
    const first = firstRowOf.get(row.phone);
    if (first !== undefined) {
      errors.push({ row: row.row, field: 'phone', message: `${row.phone} is in row ${first} already` });
      return;
    }
    firstRowOf.set(row.phone, row.row);
    rows.push(row);
  });

  const result: ImportResult = { created: 0, updated: 0, unchanged: 0, errors };
  const outcomes = await mapPooled(rows, CONCURRENCY, (row) => importRow(deps, account, row, input, groups));
  outcomes.forEach((outcome, i) => {
    if (typeof outcome === 'string') result[outcome] += 1;
    else errors.push({ row: rows[i]!.row, field: outcome.field, message: outcome.message });
  });
  errors.sort((a, b) => a.row - b.row);
  return result;
}

type RowOutcome = 'created' | 'updated' | 'unchanged' | { field: string | null; message: string };

async function importRow(deps: AppDeps, account: Account, row: Row, input: ImportInput, groups: GroupIndex): Promise<RowOutcome> {
  const joins = input.groupIds ?? [];
  try {
    const existing = await deps.store.contacts.findByPhone(account.id, row.phone);
    if (!existing) {
      try {
        await insertContact(
          deps,
          account,
          {
            phone: row.phone,
            firstName: row.firstName,
            lastName: row.lastName,
            email: row.email,
            customFields: row.customFields,
            groupIds: joins,
          },
          groups,
        );
        return 'created';
      } catch (err) {
        // Added by someone else since the look-up: it is an existing contact after all.
        if (!(err instanceof DuplicateError)) throw err;
        const owner = await deps.store.contacts.findByPhone(account.id, row.phone);
        if (!owner) throw err;
        return update(deps, account, owner.id, row, input, groups);
      }
    }
    return update(deps, account, existing.id, row, input, groups);
  } catch (err) {
    if (err instanceof AppError) return { field: err.errors?.[0]?.path.replace(/^\//, '') ?? null, message: err.message };
    if (err instanceof ConcurrencyError || err instanceof DuplicateError)
      return { field: null, message: `${err.message}; import the row again` };
    throw err;
  }
}

async function update(deps: AppDeps, account: Account, id: string, row: Row, input: ImportInput, groups: GroupIndex): Promise<RowOutcome> {
  if (!input.updateExisting) return 'unchanged';
  const result = await modifyContact(
    deps,
    account.id,
    id,
    (c) => {
      const customFields = { ...c.customFields, ...row.customFields };
      if (Object.keys(customFields).length > CUSTOM_FIELDS_MAX)
        throw invalid([{ path: '/customFields', message: `would have more than ${CUSTOM_FIELDS_MAX} fields` }]);
      return {
        ...c,
        firstName: row.firstName ?? c.firstName,
        lastName: row.lastName ?? c.lastName,
        email: row.email ?? c.email,
        customFields,
        groupIds: [...c.groupIds, ...(input.groupIds ?? [])],
      };
    },
    groups,
  );
  if (!result) return { field: null, message: 'the contact with this phone was deleted during the import' };
  return result.changed ? 'updated' : 'unchanged';
}
