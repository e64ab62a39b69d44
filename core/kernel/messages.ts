import { defineMessages } from './i18n.ts';
import { en } from './messages.en.ts';
import { it } from './messages.it.ts';

/**
 * The ground floor's messages: errors, and the words every feature shares (ticket kinds and
 * statuses, roles, channel purposes, buttons). Features extend them with their own catalogs.
 */
export const m = defineMessages(it, en);
export const t = m.t;
export { en as kernelEn, it as kernelIt };
