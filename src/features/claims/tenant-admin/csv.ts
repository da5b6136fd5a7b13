// CSV as RFC 4180 writes it (CRLF line ends; a field with a comma, quote, CR or LF is quoted, its
// quotes doubled), with one defence added: a cell that begins with = + - @ (or a tab or CR, which
// some spreadsheets strip first) is prefixed with ' so no spreadsheet runs it as a formula. The
// cells come from end users (names, handles) and must stay text.
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export type CsvValue = string | number | Date | null | undefined;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (values: readonly CsvValue[]) => `${values.map(csvCell).join(',')}\r\n`;
