/** mod_log_config's built-in format (`CLF` nickname, and the format of a CustomLog without one). */
export const DEFAULT_LOG_FORMAT = '%h %l %u %t "%r" %>s %b';

/**
 * The LogFormat nicknames Debian's apache2.conf defines, plus `CLF` which
 * mod_log_config itself predefines.
 */
export const DEBIAN_LOG_FORMATS: Readonly<Record<string, string>> = {
  CLF: DEFAULT_LOG_FORMAT,
  vhost_combined: '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
  combined: '%h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
  common: '%h %l %u %t "%r" %>s %O',
  referer: '%{Referer}i -> %U',
  agent: '%{User-agent}i',
};
