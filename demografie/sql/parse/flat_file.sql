-- A GENESIS v5 flat file as strings, every field as written (codes keep their leading zeros; an
-- empty field is NULL here and '' once ffcsv.py has it), in the file's order. Only the columns the
-- normaliser reads ($fields) are converted: the labels of statistics, times and variables are
-- skipped by the reader.
-- $path: the file; $columns: every header name -> VARCHAR; $max_line: the longest line allowed.
-- The header was checked by ffcsv.py and is skipped here; a row with more or fewer fields than the
-- header, an unclosed quote or bytes that are not UTF-8 stop the read (strict mode, no padding).
SELECT COLUMNS(lambda c: list_contains($fields, c))
FROM read_csv(
    $path,
    delim = ';',
    quote = '"',
    escape = '"',
    header = false,
    skip = 1,
    auto_detect = false,
    columns = $columns,
    max_line_size = $max_line,
    compression = 'none',
    encoding = 'utf-8',
    strict_mode = true,
    null_padding = false
)
