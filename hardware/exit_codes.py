"""``opet-reader``'s exit codes, shared by its commands."""
EXIT_OK, EXIT_READ_FAILED, EXIT_NO_SERVICE, EXIT_TIMEOUT = 0, 1, 2, 3
