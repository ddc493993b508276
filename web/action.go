package web

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
)

// IDParam reads a positive integer path parameter; anything else is not
// found, as an unknown id would be.
func IDParam(c *gin.Context, name string) (int64, error) {
	n, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, svcportal.ErrNotFound()
	}
	return n, nil
}

// PathAction adapts an action on the object named by a numeric path
// parameter, with a JSON body decoded into T, to a handler that answers
// the action's result as JSON with status.
func PathAction[T, V any](status int, param string, act func(c *gin.Context, id int64, req T) (V, error)) HandlerFunc {
	return func(c *gin.Context) error {
		id, err := IDParam(c, param)
		if err != nil {
			return err
		}
		var req T
		if err := BindJSON(c, &req); err != nil {
			return err
		}
		v, err := act(c, id, req)
		if err != nil {
			return err
		}
		c.JSON(status, v)
		return nil
	}
}
