module example.com/hoterr

go 1.19
