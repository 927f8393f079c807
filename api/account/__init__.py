"""Your data: the export of everything an account wrote, and deleting the account."""
