// Every acquisition source module, registered by importing it: adding a source is one folder + one line here.
// The order is the order of `known: ...` in error messages.

import './file/source.js';
import './syslog/source.js';
import './journald/source.js';
import './stdin/source.js';

export { sourceModule, sourceNames } from './registry.js';
