-- The lexer: strings and their escapes, long brackets, numerals, comments.
print("plain", 'single', "tab\tnew\\nline", 'quote\'s', "dq\"s")
print("\a\b\f\v" == string.char(7, 8, 12, 11), "\65\066\0671", "\0" == string.char(0), #"\0\0\0")
print("multi\
line")
print([[long
string]], [==[with ]] inside]==], [[
skips first newline]])
print(#[[]], #[==[]==], [=[a]]b]=])
--[[ a long
comment ]] print("after long comment")
--[==[ another ]==] print("after level-2 comment")
-- a short comment with [[ brackets
print(1, 1.5, .5, 5., 1e2, 1E-2, 2.5e+3, 0x10, 0XfF, 0x0, 3e0)
print(0x7fffffff, 0xffffffff, 1e308, 1e309, -1e309, 2^1023 * 2)
print(123456789012, 1234567890123456, 0.1 + 0.2, 1/3, -1/3, 100 * 1.1)
print(tostring(12345678901234567890), 2^63, -2^63, 2^-1074, 5e-324)
print(#"héllo", "\xff" == "xff")
local t = {} t.x = 1; t['y'] = 2; t[ [[z]] ] = 3
print(t.x, t.y, t.z)
print(("%q"):format("escape \0 me\r\n"))
print("semicolons") ; print("between statements");
do local a = 1; print(a) end
print(1 --[[inline]] + 2)
print(loadstring("x = 1\r\ny = = 2"))
print(loadstring("x = 1\n\ry = = 2"))
print(loadstring("x = 1\r\r\ny = = 2"))
print(loadstring("return [[a\r\nb\n\rc\r\rd]]")() == "a\nb\nc\n\nd")
print(loadstring("return 'a\\\r\nb'")() == "a\nb")
print(#loadstring("return [[\r\nfirst newline skipped]]")())
