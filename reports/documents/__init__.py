"""The report documents (报表): pure functions from the database to PDF or CSV bytes.

- inspection report (巡检报告) of one inspection;
- yearly satisfaction analysis (满意度统计分析报告), seed 002, 4.5.4;
- monthly SLA report: tickets of the month, their clocks, escalations, inspections;
- daily repair report (维修报表): tickets engineers handled that day.

CSV files are UTF-8 with a byte-order mark so Excel on Chinese Windows opens
them correctly; the header row is translated into the active language.
"""
