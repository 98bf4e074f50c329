/**
 * A reader for the CS224N data files that parses exactly like the reference's
 * `csv.DictReader(open(path), delimiter='\t')`: CPython's `_csv` state machine with the excel
 * dialect (quote `"`, doubled quotes inside quoted fields, non-strict), fed line by line. Quoted
 * fields may span lines; text after a closing quote is kept (`"ab"c` reads `abc`); a quote inside
 * an unquoted field is an ordinary character.
 */

export interface TsvRecord {
  fields: string[];
  /** 1-based line on which the record starts. */
  line: number;
}

type State = 'startRecord' | 'startField' | 'inField' | 'inQuoted' | 'quoteInQuoted';

const QUOTE = '"';

/** Splits `text` (already in universal-newline form) into records; blank lines yield none. */
export function parseDelimited(text: string, delimiter = '\t'): TsvRecord[] {
  const records: TsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let state: State = 'startRecord';
  let recordLine = 0;

  const saveField = () => {
    fields.push(field);
    field = '';
  };
  const endRecord = () => {
    if (fields.length > 0) records.push({ fields, line: recordLine });
    fields = [];
    state = 'startRecord';
  };

  const lines = text.split(/(?<=\n)/);
  if (lines.at(-1) === '') lines.pop();
  for (const [index, line] of lines.entries()) {
    if (state === 'startRecord' && !line.includes(QUOTE)) {
      // Fast path, same result: a line without quotes is a record of its own, split as is.
      const body = line.endsWith('\n') ? line.slice(0, -1) : line;
      if (body.length > 0) records.push({ fields: body.split(delimiter), line: index + 1 });
      continue;
    }
    if (state === 'startRecord') recordLine = index + 1;
    for (const c of line) {
      // A newline ends an unquoted field; the record itself ends at the end of the line.
      const newline = c === '\n';
      if (state === 'startRecord') {
        if (newline) continue;
        state = 'startField';
      }
      switch (state) {
        case 'startField':
          if (newline) {
            saveField();
            state = 'startRecord';
          } else if (c === QUOTE) state = 'inQuoted';
          else if (c === delimiter) saveField();
          else {
            field += c;
            state = 'inField';
          }
          break;
        case 'inField':
          if (newline) {
            saveField();
            state = 'startRecord';
          } else if (c === delimiter) {
            saveField();
            state = 'startField';
          } else field += c;
          break;
        case 'inQuoted':
          if (c === QUOTE) state = 'quoteInQuoted';
          else field += c;
          break;
        case 'quoteInQuoted':
          if (c === QUOTE) {
            field += c;
            state = 'inQuoted';
          } else if (c === delimiter) {
            saveField();
            state = 'startField';
          } else if (newline) {
            saveField();
            state = 'startRecord';
          } else {
            field += c;
            state = 'inField';
          }
          break;
      }
    }
    // End of the physical line (the reference's EOL marker): only a quoted field carries on.
    if (state === 'inQuoted') continue;
    if (state !== 'startRecord') saveField();
    endRecord();
  }
  // Like non-strict CPython, a quoted field still open at the end of the file is kept.
  if (state === 'inQuoted') {
    saveField();
    endRecord();
  }
  return records;
}
