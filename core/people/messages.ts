import { defineMessages } from '../kernel/i18n.ts';
import { en } from './messages.en.ts';
import { it } from './messages.it.ts';

/** The people feature's messages. */
export const m = defineMessages(it, en);
