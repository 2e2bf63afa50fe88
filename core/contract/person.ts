/**
 * A person's details as a clerk types them (a new account's owner, a transfer's new owner): the
 * ID number checked for format, birth date and check character, with the problem in the issue's
 * params so the UI names it; the phone as digits.
 */
import { z } from 'zod';
import { idNumberProblem, type IdNumberProblem } from '../identity/id-number.js';

const ID_NUMBER_MESSAGES: Record<IdNumberProblem, string> = {
  format: 'an ID number is 17 digits and a check character (a digit or X)',
  'birth-date': 'the birth date in the ID number is not a real date',
  'check-digit': 'the check character of the ID number is wrong: a digit was mistyped',
};

export const idNumberInputSchema = z
  .string()
  .trim()
  .toUpperCase()
  .superRefine((value, check) => {
    const problem = idNumberProblem(value);
    if (problem !== null) check.addIssue({ code: 'custom', message: ID_NUMBER_MESSAGES[problem], params: { problem } });
  });

export const phoneInputSchema = z.string().trim().regex(/^\d{7,12}$/, 'a phone number is 7 to 12 digits');
