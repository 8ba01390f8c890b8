-- wrk script: POST a new ticket (or the bare reference row) as the integration account.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token " .. os.getenv("BENCH_TOKEN")
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format(
    '{"subject":"Export fails %d","body":"Since the update the CSV export ends in a timeout after a minute. We need it for month-end.","customer_email":"bench%d@example.com","organization":"Bench Org %d"}',
    counter, counter % 200, counter % 20)
  return wrk.format(nil, nil, nil, body)
end
