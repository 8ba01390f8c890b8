"""E-mail as a channel: mail in (webhook, MTA pipe, IMAP) through one path, mail out to customers."""
