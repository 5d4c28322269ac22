module github.com/ironlb/ironlb/tools/frrmetrics

go 1.26
