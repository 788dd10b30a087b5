-- Control flow: if/elseif, while, repeat (whose condition sees the body's locals),
-- numeric for (float steps, negative steps, string bounds), generic for, break,
-- and/or short circuits.
local function classify(n)
  if n < 0 then return "neg" elseif n == 0 then return "zero" elseif n < 10 then return "small" else return "big" end
end
print(classify(-1), classify(0), classify(5), classify(50))
local i = 0 while i < 5 do i = i + 1 end print(i)
i = 0 while true do i = i + 1 if i > 7 then break end end print(i)
i = 0 repeat local j = i; i = i + 1 until j >= 3 print(i)
local out = {}
for k = 1, 10, 3 do out[#out + 1] = k end print(table.concat(out, ","))
out = {} for k = 10, 1, -2 do out[#out + 1] = k end print(table.concat(out, ","))
out = {} for k = 0, 1, 0.25 do out[#out + 1] = k end print(table.concat(out, ","))
out = {} for k = 1, 0 do out[#out + 1] = k end print(#out)
out = {} for k = "1", "3" do out[#out + 1] = k end print(table.concat(out, ","), type(out[1]))
out = {} for k = 1, 3 do local k = k * 2; out[#out + 1] = k end print(table.concat(out, ","))
out = {} for k = 0.1, 0.35, 0.1 do out[#out + 1] = k end print(#out, out[3])
out = {} for k = 1, math.huge do if k > 3 then break end out[#out + 1] = k end print(#out)
out = {} for k = 5, 5 do out[#out + 1] = k end print(#out)
out = {} for k = 1, 3 do for m = 1, 3 do if m > k then break end out[#out + 1] = k .. m end end print(table.concat(out, " "))
print(1 and 2, nil and 1, false or "x", nil or false, false and nil, 1 or error("no"), nil and error("no"))
print(not nil, not 0, not "", not not nil)
local x = nil
local v = x and x.y or "default" print(v)
local n = 0 local function side() n = n + 1 return true end
local _ = side() or side() local _ = side() and side() print(n)
local cond = 5
print(cond > 3 and "yes" or "no", cond > 9 and "yes" or "no")
do local shadow = 1 do local shadow = 2 print(shadow) end print(shadow) end
local t = {} for idx = 1, 3 do t[idx] = function() return idx end end print(t[1](), t[3]())
local w = 0 while w < 3 do w = w + 1 local captured = w t[w] = function() return captured end end print(t[1](), t[2]())
local r = {} local k = 0 repeat k = k + 1 local cap = k r[k] = function() return cap end until k == 3 print(r[1](), r[3]())
for key, value in next, {10, 20} do print(key, value) end
local function iter(s, c) if c < s then return c + 1, c * c end end
for a, b in iter, 4, 0 do print(a, b) end
local acc = 0 for _, v in ipairs({1, 2, 3}) do acc = acc + v end print(acc)
for i = 3, 1, -1 do print(i) end
goto_like = nil
print(pcall(function() for i = 1, 10, 0 do return "zero step loops: " .. i end end))
