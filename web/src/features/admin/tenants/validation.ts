/** Checks of the new-tenant form; the API has the final word. */
import { isEmail } from "../users/validation";

// The API's rule for tenant names (identity/service.py TENANT_NAME).
const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Problems with the form, per field. */
export function validateTenant(name: string, adminEmail: string): { name?: string; admin_email?: string } {
  const errors: { name?: string; admin_email?: string } = {};
  if (!NAME.test(name)) errors.name = "Lowercase letters, digits and '-', starting with a letter or digit; at most 63.";
  if (adminEmail.trim() && !isEmail(adminEmail.trim())) errors.admin_email = "Not an email address.";
  return errors;
}
