// Reading configuration and content files (profiles, scenarios, parsers, grok patterns, acquisition, config)
// and the data files of content (File/RegexpInFile/... lists) with a size limit (issue 11 §5: a 100 MB profiles
// file was parsed for > 45 s): a bigger file is refused before it is read, with an error naming the file, its
// size and the limit. Owns: those limits and the reads.

import fs from 'node:fs';
import { PicketError } from './errors.js';

/** no configuration or content file of Picket or the hub comes near this */
export const MAX_CONFIG_FILE_BYTES = 10 * 1024 * 1024;

/** data files (one entry a line) may be larger: hub lists are kilobytes, an operator's own list megabytes */
export const MAX_DATA_FILE_BYTES = 64 * 1024 * 1024;

export class ConfigFileTooLargeError extends PicketError {
  constructor(file: string, size: number) {
    super(
      'CONFIG_FILE_TOO_LARGE',
      `${file} is ${size} bytes, larger than the ${MAX_CONFIG_FILE_BYTES}-byte limit ` +
        'of configuration and content files',
    );
  }
}

export class DataFileTooLargeError extends PicketError {
  constructor(file: string, size: number) {
    super(
      'DATA_FILE_TOO_LARGE',
      `${file} is ${size} bytes, larger than the ${MAX_DATA_FILE_BYTES}-byte limit of data files`,
    );
  }
}

/** the text of a content data file (utf8); a file over MAX_DATA_FILE_BYTES as DataFileTooLargeError */
export function readDataText(file: string): string {
  const size = fs.statSync(file).size;
  if (size > MAX_DATA_FILE_BYTES) throw new DataFileTooLargeError(file, size);
  return fs.readFileSync(file, 'utf8');
}

/** the text of `file` (utf8); fs errors as thrown by node, a file over the limit as ConfigFileTooLargeError */
export function readConfigText(file: string): string {
  const size = fs.statSync(file).size;
  if (size > MAX_CONFIG_FILE_BYTES) throw new ConfigFileTooLargeError(file, size);
  return fs.readFileSync(file, 'utf8');
}
