"$ANALYZE" packets --where 'conn.sport == 8080 && ack_rtt > 300ms' --columns frame,stream,src,srcport,dst,dstport,ack_rtt demo.sift
